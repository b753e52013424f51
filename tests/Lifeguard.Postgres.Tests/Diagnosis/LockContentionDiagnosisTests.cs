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
        await harness.UntilAsync(d => d.Cause != DiagnosisCause.LockContention, "no lock before the fault", 10);

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

            var diagnosis = await harness.UntilAsync(d => d.Cause == DiagnosisCause.LockContention, "lock_contention", 30);

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

        await harness.UntilAsync(d => d.Cause == DiagnosisCause.Healthy, "healthy after the blocker ended", 20);
        await setup.ExecuteAsync($"DROP TABLE {table}");
    }

    [Fact]
    public async Task Diagnose_BlockerWithHostileApplicationNameAndSecretLiterals_EvidenceKeepsNoLiteralNorClientAddress()
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = TestPostgres.ConnectionString;
        var table = "diag_secret_" + Guid.NewGuid().ToString("N")[..8];
        await using var setup = new NpgsqlConnection(cs);
        await setup.OpenAsync(ct);
        await setup.ExecuteAsync($"CREATE TABLE {table} (id int, note text); INSERT INTO {table} SELECT generate_series(1, 10), 'x'");
        await using var harness = new DiagnosisHarness(cs);
        await harness.UntilAsync(d => d.Cause != DiagnosisCause.LockContention, "no lock before the fault", 10);

        // what a psql user or a report tool leaves in pg_stat_activity: values in the text, a name of its own choosing
        const string appName = "<!channel> <https://evil.example|Acknowledge>";
        await using var blocker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { ApplicationName = appName, Pooling = false }.ConnectionString);
        await blocker.OpenAsync(ct);
        await using var tx = await blocker.BeginTransactionAsync(ct);
        await blocker.ExecuteAsync($"UPDATE {table} SET note = 'secret-literal-123' WHERE id <> 4242 OR note = $$dollar-secret$$", transaction: tx);
        var waiters = new List<NpgsqlConnection>();
        var waits = new List<Task>();
        for (var i = 0; i < 3; i++)
        {
            var w = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { ApplicationName = "diag-waiter", Pooling = false, CommandTimeout = 60 }.ConnectionString);
            await w.OpenAsync(ct);
            waiters.Add(w);
            waits.Add(w.ExecuteAsync($"UPDATE {table} SET note = 'y'", commandTimeout: 60));
        }

        try
        {
            var diagnosis = await harness.UntilAsync(d => d.Cause == DiagnosisCause.LockContention, "lock_contention", 30);
            var text = string.Join("\n", diagnosis.Evidence.Append(diagnosis.Summary));
            text.ShouldContain("'<!channel> <https://evil.example|Acknowledge>'", Case.Sensitive, "the name is shown, quoted (each channel escapes it)");
            text.ShouldContain($"UPDATE {table} SET note = $1 WHERE id <> $2 OR note = $3", Case.Sensitive, harness.Log);
            foreach (var secret in (string[])["secret-literal-123", "4242", "dollar-secret"]) text.ShouldNotContain(secret);
            text.ShouldNotContain("@local");
            text.ShouldNotContain("@127.0.0.1");
        }
        finally
        {
            await tx.RollbackAsync(CancellationToken.None);
            await Task.WhenAll(waits);
            foreach (var w in waiters) await w.DisposeAsync();
        }

        await setup.ExecuteAsync($"DROP TABLE {table}");
    }
}
