using Dapper;
using Lifeguard.Diagnosis;
using Lifeguard.Postgres.Diagnosis;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Diagnosis;

[Collection(DiagnosisCollection.Name)]
public sealed class CpuAndStatementDiagnosisTests
{
    [Fact]
    public async Task Diagnose_TwoClientsBurningCpuOnAOneCoreBudget_NamesDatabaseCpu()
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = TestPostgres.ConnectionString;
        // The database is given one core, so two burners saturate it without starving this shared machine.
        await using var harness = new DiagnosisHarness(cs, new PostgresDiagnosisOptions { DatabaseCores = 1 });
        await harness.UntilAsync(d => d.Cause != DiagnosisCause.DatabaseCpu, "no CPU saturation before", 10);

        var burnerCs = new NpgsqlConnectionStringBuilder(cs) { ApplicationName = "diag-cpu-burner", Pooling = false, CommandTimeout = 30 }.ConnectionString;
        // Each burner spins in PL/pgSQL for at most 12 s and stops by itself.
        const string burn = "DO $$ DECLARE x bigint := 0; BEGIN WHILE clock_timestamp() < now() + interval '12 seconds' LOOP x := x + 1; END LOOP; END $$";
        var burners = Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var c = new NpgsqlConnection(burnerCs);
            await c.OpenAsync(ct);
            await c.ExecuteAsync(burn, commandTimeout: 30);
        }).ToList();

        var diagnosis = await harness.UntilAsync(d => d.Cause == DiagnosisCause.DatabaseCpu, "database_cpu", 11);

        var server = diagnosis.Signals!.Server!;
        server.ActiveOnCpu.ShouldBeGreaterThanOrEqualTo(1, harness.Log);
        server.Cores.ShouldBe(1);
        diagnosis.Evidence.ShouldContain(e => e.Contains("on CPU against 1 core"));
        // Who burns it: the burners' client, the one to stop.
        server.OnCpuBy.ShouldContain(h => h.Application == "diag-cpu-burner", harness.Log);
        diagnosis.Evidence.ShouldContain(e => e.StartsWith("on CPU: ", StringComparison.Ordinal) && e.Contains("'diag-cpu-burner'"), harness.Log);
        diagnosis.Avoid.ShouldContain("Do not grow the pool");
        await Task.WhenAll(burners);
        await harness.UntilAsync(d => d.Cause == DiagnosisCause.Healthy, "healthy after the burners stopped", 20);
    }

    [Fact]
    public async Task Diagnose_IndexDroppedUnderSteadyQueries_NamesSlowQueriesWithTheStatement()
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = TestPostgres.ConnectionString;
        var table = "diag_orders_" + Guid.NewGuid().ToString("N")[..8];
        await using var setup = new NpgsqlConnection(cs);
        await setup.OpenAsync(ct);
        await setup.ExecuteAsync($"""
            CREATE TABLE {table} (id int, customer int, total numeric);
            INSERT INTO {table} SELECT i, i % 50000, i FROM generate_series(1, 300000) i;
            CREATE INDEX {table}_customer ON {table} (customer);
            ANALYZE {table};
            """);
        await using var harness = new DiagnosisHarness(cs);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // A steady client: the same statement, a few times a second, as a dashboard would run it.
        var client = Task.Run(async () =>
        {
            await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { ApplicationName = "diag-dashboard" }.ConnectionString);
            await c.OpenAsync(stop.Token);
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                await c.ExecuteScalarAsync<decimal?>(new CommandDefinition($"SELECT sum(total) FROM {table} WHERE customer = @customer", new { customer = i++ % 50000 }, cancellationToken: CancellationToken.None));
                try { await Task.Delay(50, stop.Token); } catch (OperationCanceledException) { }
            }
        }, ct);
        try
        {
            // Healthy while indexed, long enough for the statement's baseline.
            // (Other tests' statements may come and go on the shared cluster: only this one's is judged.)
            for (var n = 0; n < 12; n++)
                (await harness.SampleAsync()).Signals!.Server!.SlowedStatements.ShouldNotContain(x => x.Query.Contains(table), harness.Log);

            await setup.ExecuteAsync($"DROP INDEX {table}_customer");
            var diagnosis = await harness.UntilAsync(d => d.Cause == DiagnosisCause.SlowQueries
                && d.Signals!.Server!.SlowedStatements.Any(x => x.Query.Contains(table)), "slow_queries", 25);

            var slowed = diagnosis.Signals!.Server!.SlowedStatements.First(x => x.Query.Contains(table));
            slowed.Query.ShouldContain(table);
            slowed.Growth.ShouldBeGreaterThan(3);
            diagnosis.Evidence.ShouldContain(e => e.Contains(slowed.QueryId) && e.Contains(table));
            diagnosis.Remedy.ShouldContain("EXPLAIN");
        }
        finally
        {
            await stop.CancelAsync();
            await client;
            await setup.ExecuteAsync($"DROP TABLE {table}");
        }
    }
}
