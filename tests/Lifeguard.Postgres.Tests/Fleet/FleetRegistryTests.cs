using System.Data.Common;
using Dapper;
using Lifeguard.Fleet;
using Lifeguard.Postgres.Fleet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Fleet;

/// <summary>The fleet registry on a real server, each test in a database of its own: instances join and see each other
/// and the slots they hold, leave on a graceful stop, drop out when their heartbeat expires; a role that may not create
/// the schema gets one error and the app keeps working.</summary>
public sealed class FleetRegistryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> NewDatabaseAsync()
    {
        var name = "fleet_" + Guid.NewGuid().ToString("N")[..10];
        await using var admin = new NpgsqlConnection(TestPostgres.ConnectionString);
        await admin.OpenAsync(Ct);
        await admin.ExecuteAsync($"CREATE DATABASE {name}");
        return new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Database = name, Pooling = false }.ConnectionString;
    }

    private static async Task DropAsync(string cs)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(TestPostgres.ConnectionString);
        await admin.OpenAsync(CancellationToken.None);
        await TestPostgres.DropDatabaseAsync(admin, new NpgsqlConnectionStringBuilder(cs).Database!);
    }

    private static FleetHeartbeat Beat(int poolMax, int refused = 0) => new(poolMax, 1, 0, 2.5, refused, "healthy", Wanted: 3);

    [Fact]
    public async Task Heartbeat_StatementsAreLeftOutOfTheDiagnosersStatementBaseline()
    {
        // Heartbeats wait on the fleet's lock: counted as the application's statements they read as slow queries.
        var cs = await NewDatabaseAsync();
        try
        {
            // a database of its own: its statements are only this test's
            await using (var a = new FleetRegistry(cs, new LifeguardIdentity("web", "a"), TimeSpan.FromSeconds(10)))
            {
                await a.MigrateAsync(Ct);
                for (var i = 0; i < 3; i++) await a.HeartbeatAsync(Beat(10), null, Ct);
            }

            await using var c = new NpgsqlConnection(cs);
            await c.OpenAsync(Ct);
            var all = (await c.QueryAsync<string>("SELECT query FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")).ToList();
            all.ShouldContain(q => q.Contains("pg_advisory_xact_lock", StringComparison.Ordinal), "the heartbeats ran: " + string.Join(" | ", all));
            await using var cmd = new NpgsqlCommand(Lifeguard.Postgres.Diagnosis.ServerReaderSql.Statements, c);
            cmd.Parameters.AddWithValue(1000);
            var seen = new List<string>();
            await using (var r = await cmd.ExecuteReaderAsync(Ct))
                while (await r.ReadAsync(Ct)) seen.Add(r.GetString(3));
            seen.ShouldNotContain(q => q.Contains("fleet_instances", StringComparison.Ordinal) || q.Contains("pg_advisory_xact_lock", StringComparison.Ordinal),
                string.Join(" | ", seen));
        }
        finally
        {
            await DropAsync(cs);
        }
    }

    [Fact]
    public async Task Heartbeat_TwoInstances_JoinSeeEachOtherWithTheirSlotsAndLeave()
    {
        var cs = await NewDatabaseAsync();
        try
        {
            await using var a = new FleetRegistry(cs, new LifeguardIdentity("web", "a"), TimeSpan.FromSeconds(10));
            await using var b = new FleetRegistry(cs, new LifeguardIdentity("web", "b"), TimeSpan.FromSeconds(10));
            (await a.MigrateAsync(Ct)).ShouldBe([1]);
            (await b.MigrateAsync(Ct)).ShouldBeEmpty(); // the journal says it is done: nothing created twice

            (await a.HeartbeatAsync(Beat(30), null, Ct)).Instances.Select(i => i.Instance).ShouldBe(["a"]);
            await b.HeartbeatAsync(Beat(20), null, Ct);
            // a's pool holds three sessions named after it: the registry counts them as a's slots.
            var held = new List<NpgsqlConnection>();
            for (var i = 0; i < 3; i++)
            {
                var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { ApplicationName = "web/a" }.ConnectionString);
                await c.OpenAsync(Ct);
                held.Add(c);
            }
            try
            {
                var fleet = await a.HeartbeatAsync(Beat(30, refused: 2), null, Ct);
                fleet.Self.ShouldBe("web/a");
                fleet.Instances.Select(i => (i.Instance, i.PoolMax, i.SlotsHeld)).ShouldBe([("a", 30, 3), ("b", 20, 0)]);
                fleet.Instances[0].Refused.ShouldBe(2);
                fleet.Instances[1].Wanted.ShouldBe(3);
                fleet.Budget.Demand.ShouldBe(50);
                var usable = await new NpgsqlConnection(cs).QuerySingleAsync<int>("SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int");
                fleet.Budget.UsableSlots.ShouldBe(usable);
                // every other client backend (both registries' own connections at least) is another client's slot
                fleet.Budget.OtherClients.ShouldBeGreaterThanOrEqualTo(2);
            }
            finally
            {
                foreach (var c in held) await c.DisposeAsync();
            }

            await b.LeaveAsync(Ct);
            (await a.HeartbeatAsync(Beat(30), null, Ct)).Instances.Select(i => i.Instance).ShouldBe(["a"]);
        }
        finally
        {
            await DropAsync(cs);
        }
    }

    [Fact]
    public async Task Heartbeat_AnInstanceSilentLongerThanTheExpiry_HasLeftAndItsRowIsDeleted()
    {
        var cs = await NewDatabaseAsync();
        try
        {
            await using var a = new FleetRegistry(cs, new LifeguardIdentity("web", "a"), TimeSpan.FromSeconds(10));
            await using var b = new FleetRegistry(cs, new LifeguardIdentity("web", "b"), TimeSpan.FromSeconds(10));
            await a.MigrateAsync(Ct);
            await b.HeartbeatAsync(Beat(20), null, Ct);
            (await a.HeartbeatAsync(Beat(30), null, Ct)).Instances.Count.ShouldBe(2);

            // b crashed 11 s ago (its last heartbeat moved back rather than waiting: the clock is the server's).
            await using (var c = new NpgsqlConnection(cs))
                await c.ExecuteAsync("UPDATE lifeguard.fleet_instances SET heartbeat_at = now() - interval '11 seconds' WHERE instance = 'b'");

            var fleet = await a.HeartbeatAsync(Beat(30), null, Ct);
            fleet.Instances.Select(i => i.Instance).ShouldBe(["a"]);
            fleet.Budget.Demand.ShouldBe(30);
            await using (var c = new NpgsqlConnection(cs))
                (await c.QuerySingleAsync<long>("SELECT count(*) FROM lifeguard.fleet_instances WHERE instance = 'b'")).ShouldBe(0);
        }
        finally
        {
            await DropAsync(cs);
        }
    }

    [Fact]
    public async Task Heartbeat_WithAStep_WritesWhatTheStepDecidesUnderTheLock()
    {
        var cs = await NewDatabaseAsync();
        try
        {
            await using var a = new FleetRegistry(cs, new LifeguardIdentity("web", "a"), TimeSpan.FromSeconds(10));
            await a.MigrateAsync(Ct);
            FleetSignals? seen = null;
            var fleet = await a.HeartbeatAsync(Beat(30), (before, beat) => { seen = before; return beat with { Cap = 7, Claim = 7 }; }, Ct);
            seen!.Instances.ShouldBeEmpty(); // read before its first write
            fleet.Instances.ShouldHaveSingleItem().Cap.ShouldBe(7);
            await using var c = new NpgsqlConnection(cs);
            (await c.QuerySingleAsync<(int, int)>("SELECT cap, claim FROM lifeguard.fleet_instances")).ShouldBe((7, 7));
        }
        finally
        {
            await DropAsync(cs);
        }
    }

    [Fact]
    public async Task Migrate_RoleWithoutCreate_FailsWithInsufficientPrivilege_ButASchemaCreatedBeforeIsUsed()
    {
        var cs = await NewDatabaseAsync();
        try
        {
            var name = new NpgsqlConnectionStringBuilder(cs).Database;
            var user = new NpgsqlConnectionStringBuilder(cs).Username;
            await using (var c = new NpgsqlConnection(cs)) await c.ExecuteAsync($"REVOKE CREATE ON DATABASE {name} FROM {user}, PUBLIC");
            await using (var a = new FleetRegistry(cs, new LifeguardIdentity("web", "a"), TimeSpan.FromSeconds(10)))
            {
                (await Should.ThrowAsync<PostgresException>(() => a.MigrateAsync(Ct))).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
            }

            // An administrator ran the migrations once (here: CREATE granted, migrated, revoked): then no right to create is needed.
            await using (var c = new NpgsqlConnection(cs)) await c.ExecuteAsync($"GRANT CREATE ON DATABASE {name} TO {user}");
            await using (var admin = new FleetRegistry(cs, new LifeguardIdentity("admin", "once"), TimeSpan.FromSeconds(10))) await admin.MigrateAsync(Ct);
            await using (var c = new NpgsqlConnection(cs)) await c.ExecuteAsync($"REVOKE CREATE ON DATABASE {name} FROM {user}");
            await using var b = new FleetRegistry(cs, new LifeguardIdentity("web", "b"), TimeSpan.FromSeconds(10));
            (await b.MigrateAsync(Ct)).ShouldBeEmpty();
            (await b.HeartbeatAsync(Beat(10), null, Ct)).Instances.ShouldHaveSingleItem().Instance.ShouldBe("b");
        }
        finally
        {
            await DropAsync(cs);
        }
    }

    [Fact]
    public async Task FleetService_RoleWithoutCreate_OneErrorFleetOffAndTheGuardStillServes()
    {
        var cs = await NewDatabaseAsync();
        try
        {
            var b = new NpgsqlConnectionStringBuilder(cs);
            await using (var c = new NpgsqlConnection(cs)) await c.ExecuteAsync($"REVOKE CREATE ON DATABASE {b.Database} FROM {b.Username}, PUBLIC");
            var services = new ServiceCollection();
            services.AddFakeLogging();
            services.AddMetrics();
            services.AddSingleton<DbDataSource>(_ => NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(cs) { Pooling = true, MaxPoolSize = 2 }.ConnectionString));
            services.AddGuardedDataSource();
            services.AddLifeguardDiagnosis();
            services.AddLifeguardPostgres(o => o.Fleet.HeartbeatInterval = TimeSpan.FromMilliseconds(200));
            await using var provider = services.BuildServiceProvider();
            var hosted = provider.GetServices<IHostedService>().ToList();
            foreach (var h in hosted) await h.StartAsync(Ct);
            try
            {
                var readings = provider.GetRequiredService<FleetReadings>();
                await TestPostgres.Eventually(() => readings.Off is not null, "the fleet turned off");
                readings.Off!.ShouldContain("permission denied");
                var errors = provider.GetFakeLogCollector().GetSnapshot().Where(r => r.Level == LogLevel.Error).ToList();
                errors.ShouldHaveSingleItem().Message.ShouldContain("Lifeguard:Fleet:Enabled=false");

                await using var conn = await provider.GetRequiredService<DbDataSource>().OpenConnectionAsync(Ct);
                (await conn.ExecuteScalarAsync<int>("SELECT 1")).ShouldBe(1);
            }
            finally
            {
                foreach (var h in hosted) await h.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            await DropAsync(cs);
        }
    }
}
