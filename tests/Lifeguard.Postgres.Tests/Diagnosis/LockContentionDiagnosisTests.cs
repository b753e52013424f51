using Dapper;
using Lifeguard.Diagnosis;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Diagnosis;

[Collection(DiagnosisCollection.Name)]
public sealed class LockContentionDiagnosisTests
{
    [Fact]
    public async Task Diagnose_AlterQueuedBehindIdleTransactionWithSelectsBehindIt_NamesLockContentionAndTheIdleSessionAsRoot()
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = TestPostgres.ConnectionString;
        var table = "diag_lock_" + Guid.NewGuid().ToString("N")[..8];
        await using var setup = new NpgsqlConnection(cs);
        await setup.OpenAsync(ct);
        await setup.ExecuteAsync($"CREATE TABLE {table} (id int); INSERT INTO {table} SELECT generate_series(1, 100)");
        await using var harness = new DiagnosisHarness(cs);
        await harness.UntilAsync(d => d.Cause != DiagnosisCauses.LockContention, "no lock before the fault", 10);

        // The classic production queue: a transaction left idle holds AccessShareLock, an ALTER waits for
        // AccessExclusiveLock, and every later SELECT queues behind the ALTER.
        await using var blocker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { ApplicationName = "diag-idle-report", Pooling = false }.ConnectionString);
        await blocker.OpenAsync(ct);
        var blockerPid = await blocker.ExecuteScalarAsync<int>("SELECT pg_backend_pid()");
        await using var tx = await blocker.BeginTransactionAsync(ct);
        await blocker.ExecuteAsync($"SELECT count(*) FROM {table}", transaction: tx);

        var waiting = new List<Task>();
        var waiters = new List<NpgsqlConnection>();
        try
        {
            foreach (var sql in new[] { $"ALTER TABLE {table} ADD COLUMN note text", $"SELECT count(*) FROM {table}", $"SELECT count(*) FROM {table}" })
            {
                var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { ApplicationName = "diag-waiter", Pooling = false, CommandTimeout = 60 }.ConnectionString);
                await c.OpenAsync(ct);
                waiters.Add(c);
                waiting.Add(c.ExecuteAsync(sql, commandTimeout: 60));
                await Task.Delay(100, ct); // the ALTER queues first, the SELECTs behind it
            }

            var diagnosis = await harness.UntilAsync(d => d.Cause == DiagnosisCauses.LockContention, "lock_contention", 30);

            var root = diagnosis.Signals!.Server!.RootBlocker.ShouldNotBeNull();
            root.Pid.ShouldBe(blockerPid, harness.Log);
            root.State.ShouldBe("idle in transaction");
            root.Application.ShouldBe("diag-idle-report");
            root.Blocked.ShouldBe(3, harness.Log);
            diagnosis.Signals.Server.LockWaiters.ShouldBe(3);
            diagnosis.Evidence.ShouldContain(e => e.Contains($"pid {blockerPid}") && e.Contains("idle in transaction"));
            diagnosis.Remedy.ShouldContain($"pg_terminate_backend({blockerPid})");
            diagnosis.Avoid.ShouldContain("Do not grow the pool");
        }
        finally
        {
            await tx.RollbackAsync(CancellationToken.None);
            await Task.WhenAll(waiting);
            foreach (var c in waiters) await c.DisposeAsync();
        }

        await harness.UntilAsync(d => d.Cause == DiagnosisCauses.Healthy, "healthy after the blocker ended", 20);
        await setup.ExecuteAsync($"DROP TABLE {table}");
    }
}
