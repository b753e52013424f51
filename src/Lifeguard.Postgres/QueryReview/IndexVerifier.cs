using System.Globalization;
using Npgsql;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// Proves advice on real data: on the database named for it, times each statement with EXPLAIN ANALYZE, builds the index
/// with a plain (transactional) CREATE INDEX, times the statements again in the same transaction, and rolls back, so the
/// index never stays. An index advised for several statements is built once for all of them. The table is write-locked
/// while the index exists; run it on a copy or in a quiet moment.
/// </summary>
internal static class IndexVerifier
{
    public static async Task<List<StatementReview>> VerifyAsync(string connectionString, List<StatementReview> reviews, QueryReviewOptions options, IProgress<string>? progress, CancellationToken ct)
    {
        await using var connection = await QueryReviewer.OpenAsync(connectionString, ct).ConfigureAwait(false);
        var catalog = await DatabaseCatalog.ReadAsync(connection, ct).ConfigureAwait(false);
        var capture = new PlanCapture(connection);
        var verified = new Dictionary<(int Review, int Advice), IndexAdvice>();
        var groups = reviews.SelectMany((r, i) => r.IndexAdvice.Select((a, j) => (Review: i, Advice: j, r.Query, a)))
            .GroupBy(x => x.a.Ddl, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var items = group.ToList();
            progress?.Report($"verify: {group.Key} for {items.Count} statement(s)");
            var results = await VerifyIndexAsync(connection, capture, catalog, items.Select(x => (x.Query, x.a)).ToList(), options, progress, ct).ConfigureAwait(false);
            for (var k = 0; k < items.Count; k++) verified[(items[k].Review, items[k].Advice)] = results[k];
        }

        return reviews.Select((r, i) => r with { IndexAdvice = r.IndexAdvice.Select((a, j) => verified.GetValueOrDefault((i, j), a)).ToList() }).ToList();
    }

    private sealed class Measured(string query, IndexAdvice advice)
    {
        public string Query { get; } = query;
        public IndexAdvice Advice { get; set; } = advice;
        public PreparedStatement? Prepared { get; set; }
        public string?[] Values { get; set; } = [];
        public List<double> Before { get; } = [];
        public List<double> After { get; } = [];
        public bool Used { get; set; }
    }

    private static async Task<List<IndexAdvice>> VerifyIndexAsync(NpgsqlConnection connection, PlanCapture capture, DatabaseCatalog catalog, List<(string Query, IndexAdvice Advice)> items, QueryReviewOptions options, IProgress<string>? progress, CancellationToken ct)
    {
        var measured = items.Select(x => new Measured(x.Query, x.Advice)).ToList();
        var first = items[0].Advice;
        var candidate = new IndexCandidate(catalog.SchemaOf(first.Table), first.Table, first.Columns);
        try
        {
            foreach (var m in measured)
            {
                if (!StatementSource.IsReadOnly(m.Query))
                {
                    m.Advice = m.Advice with { VerifyNote = "not a read-only query: not executed, so not measured." };
                    continue;
                }
                try
                {
                    m.Prepared = await capture.PrepareAsync(m.Query, ct).ConfigureAwait(false);
                    var generic = await capture.GenericPlanAsync(m.Prepared, ct).ConfigureAwait(false);
                    m.Values = await RepresentativeValues.ChooseAsync(connection, m.Prepared, PlanPredicates.Extract(generic, catalog.ColumnsOf), catalog, ct).ConfigureAwait(false);
                    for (var i = 0; i < options.VerifyRuns; i++)
                    {
                        m.Before.Add((await capture.AnalyzedPlanAsync(m.Prepared, m.Values, options.StatementTimeout, ct).ConfigureAwait(false)).ExecutionMs ?? 0);
                    }
                }
                catch (PostgresException e)
                {
                    m.Advice = m.Advice with { VerifyNote = $"cannot time it on the verify database: {e.SqlState} {e.MessageText}" };
                    m.Before.Clear();
                }
                catch (QueryReviewException e)
                {
                    m.Advice = m.Advice with { VerifyNote = e.Message };
                    m.Before.Clear();
                }
            }

            var timed = measured.Where(m => m.Before.Count > 0).ToList();
            if (timed.Count > 0)
            {
                // The build is the long step (seconds on a large table): say so before it, and when it is done.
                progress?.Report($"verify: timed {timed.Count} statement(s) without the index; building it in a transaction...");
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                    await using (var build = new NpgsqlCommand(candidate.PlainDdl, connection) { CommandTimeout = 0 })
                    {
                        await build.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    }
                    progress?.Report(string.Create(CultureInfo.InvariantCulture, $"verify: built in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s; timing the statement(s) with it, then rolling back"));
                    await using (var timeout = new NpgsqlCommand($"SET LOCAL statement_timeout = {(long)options.StatementTimeout.TotalMilliseconds}", connection))
                    {
                        await timeout.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    }
                    foreach (var m in timed)
                    {
                        for (var i = 0; i < options.VerifyRuns; i++)
                        {
                            var plan = await capture.AnalyzedPlanInTransactionAsync(m.Prepared!, m.Values, ct).ConfigureAwait(false);
                            m.Used |= plan.Nodes.Any(n => n.IndexName == candidate.Name);
                            m.After.Add(plan.ExecutionMs ?? 0);
                        }
                    }
                    await tx.RollbackAsync(ct).ConfigureAwait(false);
                }
                catch (PostgresException e)
                {
                    foreach (var m in timed) m.Advice = m.Advice with { VerifyNote = $"verification failed: {e.SqlState} {e.MessageText}" };
                    return measured.Select(m => m.Advice).ToList();
                }
            }

            foreach (var m in timed)
            {
                var b = Median(m.Before);
                var a = Median(m.After);
                m.Advice = !m.Used
                    ? m.Advice with { MeasuredBeforeMs = b, MeasuredAfterMs = a, VerifyNote = "built, but the planner did not use it with the representative values: not counted as measured." }
                    : m.Advice with
                    {
                        Validated = IndexValidation.Measured,
                        MeasuredBeforeMs = b,
                        MeasuredAfterMs = a,
                        MeasuredSpeedup = a > 0 ? b / a : null,
                        VerifyNote = string.Create(CultureInfo.InvariantCulture, $"median of {options.VerifyRuns} EXPLAIN ANALYZE runs each, index built in a transaction and rolled back."),
                    };
            }

            return measured.Select(m => m.Advice).ToList();
        }
        finally
        {
            foreach (var m in measured.Where(m => m.Prepared is not null))
            {
                await capture.DeallocateAsync(m.Prepared!, ct).ConfigureAwait(false);
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }
}
