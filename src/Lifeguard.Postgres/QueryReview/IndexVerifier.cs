using System.Globalization;
using Npgsql;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// Proves advice on real data: on the database named for it, times the statement with EXPLAIN ANALYZE, builds the index
/// with a plain (transactional) CREATE INDEX, times it again in the same transaction, and rolls back, so the index never
/// stays. The table is write-locked while the index exists; run it on a copy or in a quiet moment.
/// </summary>
internal static class IndexVerifier
{
    public static async Task<List<StatementReview>> VerifyAsync(string connectionString, List<StatementReview> reviews, QueryReviewOptions options, IProgress<string>? progress, CancellationToken ct)
    {
        await using var connection = await QueryReviewer.OpenAsync(connectionString, ct).ConfigureAwait(false);
        var catalog = await DatabaseCatalog.ReadAsync(connection, ct).ConfigureAwait(false);
        var capture = new PlanCapture(connection);
        var result = new List<StatementReview>();
        foreach (var r in reviews)
        {
            if (r.IndexAdvice.Count == 0)
            {
                result.Add(r);
                continue;
            }

            var advice = new List<IndexAdvice>();
            foreach (var a in r.IndexAdvice)
            {
                progress?.Report($"verify: {a.Ddl}");
                advice.Add(await VerifyOneAsync(connection, capture, catalog, r.Query, a, options, ct).ConfigureAwait(false));
            }

            result.Add(r with { IndexAdvice = advice });
        }

        return result;
    }

    private static async Task<IndexAdvice> VerifyOneAsync(NpgsqlConnection connection, PlanCapture capture, DatabaseCatalog catalog, string query, IndexAdvice advice, QueryReviewOptions options, CancellationToken ct)
    {
        if (!StatementSource.IsReadOnly(query)) return advice with { VerifyNote = "not a read-only query: not executed, so not measured." };
        PreparedStatement prepared;
        try
        {
            prepared = await capture.PrepareAsync(query, ct).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            return advice with { VerifyNote = $"cannot PREPARE on the verify database: {e.MessageText}" };
        }

        try
        {
            var generic = await capture.GenericPlanAsync(prepared, ct).ConfigureAwait(false);
            var values = await RepresentativeValues.ChooseAsync(connection, prepared, PlanPredicates.Extract(generic, catalog.ColumnsOf), catalog, ct).ConfigureAwait(false);
            var before = new List<double>();
            for (var i = 0; i < options.VerifyRuns; i++)
            {
                before.Add((await capture.AnalyzedPlanAsync(prepared, values, options.StatementTimeout, ct).ConfigureAwait(false)).ExecutionMs ?? 0);
            }

            var candidate = new IndexCandidate(catalog.SchemaOf(advice.Table), advice.Table, advice.Columns);
            var after = new List<double>();
            var used = false;
            await using (var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false))
            {
                await using (var build = new NpgsqlCommand(candidate.PlainDdl, connection) { CommandTimeout = 0 })
                {
                    await build.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                await using (var timeout = new NpgsqlCommand($"SET LOCAL statement_timeout = {(long)options.StatementTimeout.TotalMilliseconds}", connection))
                {
                    await timeout.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                for (var i = 0; i < options.VerifyRuns; i++)
                {
                    var plan = await capture.AnalyzedPlanInTransactionAsync(prepared, values, ct).ConfigureAwait(false);
                    used |= plan.Nodes.Any(n => n.IndexName == candidate.Name);
                    after.Add(plan.ExecutionMs ?? 0);
                }
                await tx.RollbackAsync(ct).ConfigureAwait(false);
            }

            var b = Median(before);
            var a = Median(after);
            if (!used) return advice with { MeasuredBeforeMs = b, MeasuredAfterMs = a, VerifyNote = "built, but the planner did not use it with the representative values: not counted as measured." };
            return advice with
            {
                Validated = IndexValidation.Measured,
                MeasuredBeforeMs = b,
                MeasuredAfterMs = a,
                MeasuredSpeedup = a > 0 ? b / a : null,
                VerifyNote = string.Create(CultureInfo.InvariantCulture, $"median of {options.VerifyRuns} EXPLAIN ANALYZE runs each, index built in a transaction and rolled back."),
            };
        }
        catch (PostgresException e)
        {
            return advice with { VerifyNote = $"verification failed: {e.SqlState} {e.MessageText}" };
        }
        finally
        {
            await capture.DeallocateAsync(prepared, ct).ConfigureAwait(false);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }
}
