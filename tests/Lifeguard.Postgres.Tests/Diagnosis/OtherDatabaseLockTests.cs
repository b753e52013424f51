using Dapper;
using Lifeguard.Postgres.Diagnosis;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Diagnosis;

/// <summary>A lock queue and an idle transaction in another database of the same server are not this database's cause:
/// its tables cannot be blocked by them (the slots they hold still count).</summary>
[Collection(DiagnosisCollection.Name)]
public sealed class OtherDatabaseLockTests
{
    [Fact]
    public async Task Sample_LockQueueInAnotherDatabase_CountsOnlyThere()
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = TestPostgres.ConnectionString;
        var other = "diag_other_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(cs))
        {
            await admin.OpenAsync(ct);
            await admin.ExecuteAsync($"CREATE DATABASE {other}");
        }
        var otherCs = new NpgsqlConnectionStringBuilder(cs) { Database = other, Pooling = false }.ConnectionString;
        try
        {
            await using var blocker = new NpgsqlConnection(otherCs);
            await blocker.OpenAsync(ct);
            await blocker.ExecuteAsync("CREATE TABLE queued (id int)");
            var blockerPid = await blocker.ExecuteScalarAsync<int>("SELECT pg_backend_pid()");
            await using var tx = await blocker.BeginTransactionAsync(ct);
            await blocker.ExecuteAsync("SELECT count(*) FROM queued", transaction: tx);
            await using var waiter = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(otherCs) { CommandTimeout = 60 }.ConnectionString);
            await waiter.OpenAsync(ct);
            var alter = waiter.ExecuteAsync("ALTER TABLE queued ADD COLUMN note text", commandTimeout: 60);
            try
            {
                await using var there = new PostgresServerSignalSource(otherCs);
                await using var here = new PostgresServerSignalSource(cs);
                // The ALTER is queued once the other database's own view shows it waiting.
                var seen = await there.SampleAsync(ct);
                for (var i = 0; i < 50 && seen.LockWaiters == 0; i++)
                {
                    await Task.Delay(100, ct);
                    seen = await there.SampleAsync(ct);
                }

                seen.LockWaiters.ShouldBe(1);
                seen.RootBlocker.ShouldNotBeNull().Pid.ShouldBe(blockerPid);
                var mine = await here.SampleAsync(ct);
                mine.Reachable.ShouldBeTrue();
                // Other test assemblies may queue on locks of their own in this database at the same time: only the other
                // database's blocker is asserted absent.
                (mine.RootBlocker?.Pid ?? 0).ShouldNotBe(blockerPid);
                mine.Backends.ShouldBeGreaterThanOrEqualTo(seen.Backends - 1); // the other database's sessions still hold slots
            }
            finally
            {
                await tx.RollbackAsync(CancellationToken.None);
                await alter;
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(cs);
            await admin.OpenAsync(CancellationToken.None);
            await Lifeguard.TestSupport.TestPostgres.DropDatabaseAsync(admin, other);
        }
    }
}
