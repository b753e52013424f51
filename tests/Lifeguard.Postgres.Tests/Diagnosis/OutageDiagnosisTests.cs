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
        var before = await harness.UntilAsync(d => d.Cause == DiagnosisCause.Healthy && d.Signals!.Server!.Reachable, "healthy first", 20);
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
            var diagnosis = await harness.UntilAsync(d => d.Cause == DiagnosisCause.ConnectionLimit && d.Evidence.Any(e => e.Contains("53300")),
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

        await harness.UntilAsync(d => d.Cause == DiagnosisCause.Healthy, "healthy after the slots were freed", 20, pool.Sample);
    }

    [Fact]
    public async Task Diagnose_OtherClientsTakeTheSlotsAndTheAppsSessionsAreEnded_NamesConnectionLimitNeverDatabaseUnavailable()
    {
        // The second case as it happened: the site's pooled sessions are terminated, other clients take the slots
        // they free, and every reopen is refused. The app sees 57P01 then 53300; the server itself is up the whole time.
        var ct = TestContext.Current.CancellationToken;
        await using var harness = new DiagnosisHarness(spare.ConnectionString, new PostgresDiagnosisOptions { ApplicationNameOfApp = "diag-app-ended" });
        await harness.UntilAsync(d => d.Cause == DiagnosisCause.Healthy && d.Signals!.Server!.Reachable, "healthy first", 20);
        await using var inner = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(spare.ConnectionString) { ApplicationName = "diag-app-ended", MaxPoolSize = 4 }.ConnectionString);
        await using var guard = new GuardedDataSource(inner, new LifeguardOptions { ErrorClassifier = NpgsqlErrorClassifier.Instance }, ownsInner: false);
        var pool = new PoolSignalSampler(guard);
        // The site under traffic: four requests in progress, each holding a pooled session (Npgsql drops a terminated
        // session that sits idle in its pool, so only those in use report 57P01).
        var inFlight = new Queue<System.Data.Common.DbConnection>();
        for (var i = 0; i < 4; i++) inFlight.Enqueue(await guard.OpenConnectionAsync(ct));
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(spare.ConnectionString) { ApplicationName = "diag-admin", Pooling = false }.ConnectionString);
        await admin.OpenAsync(ct);
        (await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'diag-app-ended'")).ShouldBe(4);

        var hogs = new List<NpgsqlConnection>();
        var hogCs = new NpgsqlConnectionStringBuilder(spare.ConnectionString) { ApplicationName = "diag-slot-hog", Pooling = false }.ConnectionString;
        async Task TakeEverySlotAsync()
        {
            while (true)
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
                    return;
                }
            }
        }
        var seen = new List<Lifeguard.Diagnosis.DiagnosisReport>();
        try
        {
            await TakeEverySlotAsync();
            (await admin.ExecuteScalarAsync<long>("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'diag-app-ended'")).ShouldBe(4);
            // pg_terminate_backend returns before the sessions are gone: wait for their slots, then take them too.
            await harness.UntilAsync(_ => admin.ExecuteScalar<long>("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'diag-app-ended'") == 0, "the app's sessions gone", 10);
            await TakeEverySlotAsync();

            // A request or two per sample, each reporting its database error as the website does: first the requests in
            // progress run their next statement on their ended sessions, then new requests open connections.
            async Task<PoolSecond> RequestsAsync()
            {
                for (var i = 0; i < 2; i++)
                {
                    try
                    {
                        await using var c = inFlight.Count > 0 ? inFlight.Dequeue() : await guard.OpenConnectionAsync(ct);
                        await c.ExecuteScalarAsync<int>("SELECT 1");
                    }
                    catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.TooManyConnections)
                    {
                        // counted by the guard's open
                    }
                    catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
                    {
                        guard.ReportError(e);
                    }
                }
                return pool.Sample();
            }
            var diagnosis = await harness.UntilAsync(d =>
            {
                seen.Add(d);
                return d.Cause == DiagnosisCause.ConnectionLimit && d.Evidence.Any(e => e.Contains("53300")) && seen.Count >= 8;
            }, "connection_limit", 30, () => RequestsAsync().GetAwaiter().GetResult());

            seen.ShouldNotContain(d => d.Cause == DiagnosisCause.DatabaseUnavailable, harness.Log);
            seen.ShouldContain(d => d.Evidence.Any(e => e.Contains("of its sessions ended by the server")), harness.Log);
            diagnosis.Signals!.Server!.Reachable.ShouldBeTrue();
            diagnosis.Signals.Server.SlotHolders.First().Application.ShouldBe("diag-slot-hog");
            diagnosis.Evidence.ShouldContain(e => e.Contains("'diag-slot-hog'"));
        }
        finally
        {
            foreach (var c in hogs) await c.DisposeAsync();
            while (inFlight.Count > 0) await inFlight.Dequeue().DisposeAsync();
        }
        await harness.UntilAsync(d => d.Cause == DiagnosisCause.Healthy, "healthy after the slots were freed", 20, pool.Sample);
    }

    [Fact]
    public async Task Diagnose_ServerStoppedThenStarted_NamesDatabaseUnavailableThenHealthyOnTheSameSource()
    {
        await using var harness = new DiagnosisHarness(spare.ConnectionString);
        var first = await harness.UntilAsync(d => d.Cause == DiagnosisCause.Healthy && d.Signals!.Server!.Reachable, "healthy first", 20);
        var startedAt = first.Signals!.Server!.StartedAt.ShouldNotBeNull();

        await spare.StopAsync();
        Lifeguard.Diagnosis.DiagnosisReport down;
        try
        {
            down = await harness.UntilAsync(d => d.Cause == DiagnosisCause.DatabaseUnavailable, "database_unavailable", 20);
        }
        finally
        {
            await spare.StartAsync();
        }
        down.Signals!.Server!.Reachable.ShouldBeFalse();
        down.Signals.Server.ErrorKind.ShouldBe(ConnectionErrorKind.ServerUnavailable);
        down.Evidence.ShouldContain(e => e.StartsWith("server: cannot be reached", StringComparison.Ordinal));

        var back = await harness.UntilAsync(d => d.Cause == DiagnosisCause.Healthy, "healthy after the restart", 30);
        back.Signals!.Server!.Reachable.ShouldBeTrue();
        back.Signals.Server.StartedAt.ShouldNotBeNull().ShouldBeGreaterThan(startedAt);
        back.Evidence.ShouldContain(e => e.StartsWith("server: restarted, postmaster started at ", StringComparison.Ordinal), harness.Log);
        await using var check = new NpgsqlConnection(spare.ConnectionString);
        await check.OpenAsync(TestContext.Current.CancellationToken);
        (await check.ExecuteScalarAsync<int>("SELECT 1")).ShouldBe(1);
    }
}
