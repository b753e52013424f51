using System.Globalization;
using Npgsql;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// Gets plans for normalized pg_stat_statements text on one connection. PostgreSQL 15 cannot EXPLAIN text with $1
/// ("there is no parameter $1"), so the text is PREPAREd (PostgreSQL infers the parameter types) and EXECUTEd:
/// with NULLs under plan_cache_mode = force_generic_plan for the generic plan (Dexter's way, nothing runs), and with
/// representative values under EXPLAIN ANALYZE for read-only queries, in a READ ONLY transaction that is rolled back,
/// under statement_timeout.
/// </summary>
internal sealed class PlanCapture(NpgsqlConnection connection)
{
    private int _next;

    public async Task<PreparedStatement> PrepareAsync(string query, CancellationToken ct)
    {
        if (!StatementSource.IsSingleStatement(query))
        {
            throw new QueryReviewException("the text holds more than one statement (a semicolon inside it): not prepared, so nothing after it can run.");
        }
        var name = $"lifeguard_review_{Environment.ProcessId}_{++_next}";
        try
        {
            await ExecuteAsync($"PREPARE {name} AS {query}", ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SyntaxError && StatementSource.RepairTypedLiterals(query) is var repaired && repaired != query)
        {
            await ExecuteAsync($"PREPARE {name} AS {repaired}", ct).ConfigureAwait(false);
        }
        await using var cmd = new NpgsqlCommand(StatementSource.OwnTag + "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = $1", connection)
        {
            Parameters = { new() { Value = name } },
        };
        var types = (string[]?)await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) ?? [];
        return new PreparedStatement(name, types);
    }

    public Task DeallocateAsync(PreparedStatement statement, CancellationToken ct) => ExecuteAsync($"DEALLOCATE {statement.Name}", ct);

    /// <summary>The generic plan: estimated, parameters NULL, nothing executed.</summary>
    public async Task<ExplainPlan> GenericPlanAsync(PreparedStatement statement, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await ExecuteAsync("SET LOCAL plan_cache_mode = force_generic_plan", ct).ConfigureAwait(false);
        var json = await ScalarAsync($"EXPLAIN (FORMAT JSON) EXECUTE {statement.Name}{Arguments(statement, null)}", ct).ConfigureAwait(false);
        await tx.RollbackAsync(ct).ConfigureAwait(false);
        return ExplainPlan.Parse(json);
    }

    /// <summary>
    /// EXPLAIN (ANALYZE, BUFFERS) with <paramref name="values"/> (null = NULL): the statement runs, so only call this for
    /// read-only text; the transaction is READ ONLY (PostgreSQL refuses writes) and always rolled back.
    /// A custom plan is forced, as an application's unprepared statement gets.
    /// </summary>
    public async Task<ExplainPlan> AnalyzedPlanAsync(PreparedStatement statement, IReadOnlyList<string?> values, TimeSpan timeout, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await ExecuteAsync("SET TRANSACTION READ ONLY", ct).ConfigureAwait(false);
        await ExecuteAsync($"SET LOCAL statement_timeout = {(long)timeout.TotalMilliseconds}", ct).ConfigureAwait(false);
        await ExecuteAsync("SET LOCAL plan_cache_mode = force_custom_plan", ct).ConfigureAwait(false);
        var json = await ScalarAsync($"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE {statement.Name}{Arguments(statement, values)}", ct).ConfigureAwait(false);
        await tx.RollbackAsync(ct).ConfigureAwait(false);
        return ExplainPlan.Parse(json);
    }

    /// <summary>EXPLAIN ANALYZE inside a transaction the caller owns (for --verify, where an index was just built in it).</summary>
    public async Task<ExplainPlan> AnalyzedPlanInTransactionAsync(PreparedStatement statement, IReadOnlyList<string?> values, CancellationToken ct)
    {
        await ExecuteAsync("SET LOCAL plan_cache_mode = force_custom_plan", ct).ConfigureAwait(false);
        var json = await ScalarAsync($"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE {statement.Name}{Arguments(statement, values)}", ct).ConfigureAwait(false);
        return ExplainPlan.Parse(json);
    }

    private static string Arguments(PreparedStatement statement, IReadOnlyList<string?>? values)
    {
        if (statement.ParameterTypes.Count == 0) return "";
        var args = statement.ParameterTypes.Select((type, i) =>
        {
            var v = values is not null && i < values.Count ? values[i] : null;
            return v is null ? $"NULL::{type}" : $"{Sql.Literal(v)}::{type}";
        });
        return "(" + string.Join(", ", args) + ")";
    }

    private async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private async Task<string> ScalarAsync(string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? "[]";
    }
}
