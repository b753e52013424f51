using Dapper;
using Lifeguard.Diagnosis;
using Lifeguard.Postgres.Diagnosis;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Diagnosis;

/// <summary>Faults that need a server of their own: every slot taken by other clients; the server stopped and started.</summary>
[Collection(DiagnosisCollection.Name)]
public sealed class OutageDiagnosisTests(SpareCluster spare) : IClassFixture<SpareCluster>
{
    [Fact]
    public async Task Diagnose_OtherClientsTakeEveryFreeSlot_NamesConnectionLimitWithWhoHoldsThem()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new DiagnosisHarness(spare.ConnectionString);
        var before = await harness.UntilAsync(d => d.Cause == DiagnosisCauses.Healthy && d.Signals!.Server!.Reachable, "healthy first", 20);
        var server = before.Signals!.Server!;

        // Another client takes every slot left (the diagnoser's own connection already holds one).
        var hogs = new List<NpgsqlConnection>();
        var hogCs = new NpgsqlConnectionStringBuilder(spare.ConnectionString) { ApplicationName = "diag-slot-hog", Pooling = false }.ConnectionString;
        // The guarded app: its opens are refused with 53300 once the slots are gone.
        await using var inner = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(spare.ConnectionString) { ApplicationName = "diag-app", MaxPoolSize = 5 }.ConnectionString);
        await using var guard = new GuardedDataSource(inner, new LifeguardOptions { ErrorClassifier = NpgsqlErrorClassifier.Instance }, ownsInner: false);
        var pool = new PoolSignalSampler(guard);
        try
        {
            var free = server.UsableConnections - server.Backends;
            for (var i = 0; i < free; i++)
            {
                var c = new NpgsqlConnection(hogCs);
                try
                {
                    await c.OpenAsync(ct);
                    hogs.Add(c);
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.TooManyConnections)
                {
                    await c.DisposeAsync();
                    break;
                }
            }
            var refused = await Should.ThrowAsync<PostgresException>(async () => await guard.OpenConnectionAsync(ct));
            refused.SqlState.ShouldBe(PostgresErrorCodes.TooManyConnections);

            // The app keeps trying, as a site under traffic does: one refused open per sample.
            async Task<PoolSecond> AppTriesAsync()
            {
                try
                {
                    await using var c = await guard.OpenConnectionAsync(ct);
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.TooManyConnections)
                {
                }
                return pool.Sample();
            }
            var diagnosis = await harness.UntilAsync(d => d.Cause == DiagnosisCauses.ConnectionLimit && d.Evidence.Any(e => e.Contains("53300")),
                "connection_limit", 20, () => AppTriesAsync().GetAwaiter().GetResult());

            var signals = diagnosis.Signals!.Server!;
            signals.Backends.ShouldBeGreaterThanOrEqualTo(signals.UsableConnections, harness.Log);
            var hog = signals.SlotHolders.First();
            hog.Application.ShouldBe("diag-slot-hog");
            hog.Connections.ShouldBe(hogs.Count);
            diagnosis.Evidence.ShouldContain(e => e.Contains("'diag-slot-hog'") && e.Contains(hogs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            diagnosis.Signals.Pool!.Errors.TooManyConnections.ShouldBe(1);
            diagnosis.Avoid.ShouldContain("Do not grow the pool");
        }
        finally
        {
            foreach (var c in hogs) await c.DisposeAsync();
        }

        await harness.UntilAsync(d => d.Cause == DiagnosisCauses.Healthy, "healthy after the slots were freed", 20, pool.Sample);
    }

    [Fact]
    public async Task Diagnose_ServerStoppedThenStarted_NamesDatabaseUnavailableThenHealthyOnTheSameSource()
    {
        await using var harness = new DiagnosisHarness(spare.ConnectionString);
        var first = await harness.UntilAsync(d => d.Cause == DiagnosisCauses.Healthy && d.Signals!.Server!.Reachable, "healthy first", 20);
        var startedAt = first.Signals!.Server!.StartedAt.ShouldNotBeNull();

        await spare.StopAsync();
        Lifeguard.Diagnosis.Diagnosis down;
        try
        {
            down = await harness.UntilAsync(d => d.Cause == DiagnosisCauses.DatabaseUnavailable, "database_unavailable", 20);
        }
        finally
        {
            await spare.StartAsync();
        }
        down.Signals!.Server!.Reachable.ShouldBeFalse();
        down.Signals.Server.ErrorKind.ShouldBe(ConnectionErrorKind.ServerUnavailable);
        down.Evidence.ShouldContain(e => e.StartsWith("server: cannot be reached", StringComparison.Ordinal));

        var back = await harness.UntilAsync(d => d.Cause == DiagnosisCauses.Healthy, "healthy after the restart", 30);
        back.Signals!.Server!.Reachable.ShouldBeTrue();
        back.Signals.Server.StartedAt.ShouldNotBeNull().ShouldBeGreaterThan(startedAt);
        await using var check = new NpgsqlConnection(spare.ConnectionString);
        await check.OpenAsync(TestContext.Current.CancellationToken);
        (await check.ExecuteScalarAsync<int>("SELECT 1")).ShouldBe(1);
    }
}
