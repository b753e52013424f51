using System.Globalization;
using Npgsql;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// HypoPG on the review's one physical connection: a hypothetical index exists only in the session that created it, so
/// creating it and EXPLAINing must happen on the same backend (never through a pool that may hand out another).
/// </summary>
internal sealed class HypotheticalIndexes(NpgsqlConnection connection, PlanCapture capture)
{
    public static async Task<bool> IsAvailableAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(StatementSource.OwnTag + "SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'", connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>The generic plan's cost of <paramref name="query"/> with <paramref name="candidate"/> in place, and whether the plan used it.</summary>
    public async Task<(double Cost, bool Used)> CostWithAsync(string query, IndexCandidate candidate, CancellationToken ct)
    {
        long oid;
        await using (var cmd = new NpgsqlCommand(StatementSource.OwnTag + "SELECT indexrelid FROM hypopg_create_index($1)", connection) { Parameters = { new() { Value = candidate.PlainDdl } } })
        {
            oid = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        try
        {
            // A fresh PREPARE: a generic plan cached before the hypothetical index existed would not see it.
            var prepared = await capture.PrepareAsync(query, ct).ConfigureAwait(false);
            try
            {
                var plan = await capture.GenericPlanAsync(prepared, ct).ConfigureAwait(false);
                var marker = $"<{oid}>";
                return (plan.TotalCost, plan.Nodes.Any(n => n.IndexName?.StartsWith(marker, StringComparison.Ordinal) ?? false));
            }
            finally
            {
                await capture.DeallocateAsync(prepared, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            await using var drop = new NpgsqlCommand(StatementSource.OwnTag + "SELECT hypopg_drop_index($1::oid)", connection) { Parameters = { new() { Value = oid } } };
            await drop.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }
}
