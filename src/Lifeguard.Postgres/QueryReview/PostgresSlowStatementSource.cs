using Lifeguard.Statements;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// The live page's slowest statements, from the same <see cref="QueryReviewer"/> as <c>lifeguard review</c>: the top
/// statements by total time with their generic plan's findings and HypoPG-proven index advice. Never EXPLAIN ANALYZE
/// (that would run the statements on a production database); reviews on demand, at most once per
/// <see cref="CacheFor"/>, one review at a time, on one short-lived connection of its own (never the app's pool).
/// </summary>
internal sealed class PostgresSlowStatementSource : ISlowStatementSource, IDisposable
{
    private readonly string _connectionString;
    private readonly QueryReviewer _reviewer;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _one = new(1, 1);
    private SlowStatementsReport? _last;
    private long _lastAt;

    /// <summary>Reviews the database behind <paramref name="connectionString"/> with <paramref name="options"/> (ANALYZE is forced off).</summary>
    public PostgresSlowStatementSource(string connectionString, QueryReviewOptions options, TimeProvider time, TimeSpan? cacheFor = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Analyze = false;
        options.VerifyConnectionString = null;
        _connectionString = connectionString;
        _reviewer = new QueryReviewer(options, time);
        _time = time;
        CacheFor = cacheFor ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>How long one review is served before the next request reviews again.</summary>
    public TimeSpan CacheFor { get; }

    /// <inheritdoc />
    public async Task<SlowStatementsReport> ReadAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } cached) return cached;
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } again) return again;
            SlowStatementsReport report;
            try
            {
                report = ToReport(await _reviewer.ReviewAsync(_connectionString, progress: null, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is QueryReviewException or Npgsql.NpgsqlException or TimeoutException)
            {
                // The page shows why there is no list instead of failing: the server may be down, which the diagnosis names.
                report = new SlowStatementsReport(_time.GetUtcNow(), [], [$"the review could not run: {e.Message}"]);
            }
            _last = report;
            _lastAt = _time.GetTimestamp();
            return report;
        }
        finally
        {
            _one.Release();
        }
    }

    private SlowStatementsReport? Fresh() =>
        _last is { } last && _time.GetElapsedTime(_lastAt) < CacheFor ? last : null;

    internal static SlowStatementsReport ToReport(QueryReviewReport review) =>
        new(review.ReviewedAt,
            [.. review.Statements.Select(s => new SlowStatement(
                s.QueryId.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Query, s.Source, s.Calls, s.MeanMs, s.TotalMs,
                s.Findings.OrderByDescending(f => f.ImpactMs).Select(f => $"{f.Rule}: {f.Detail}").FirstOrDefault(),
                s.IndexAdvice.Select(a => a.Ddl).FirstOrDefault()))],
            review.Notes);

    /// <inheritdoc />
    public void Dispose() => _one.Dispose();
}
