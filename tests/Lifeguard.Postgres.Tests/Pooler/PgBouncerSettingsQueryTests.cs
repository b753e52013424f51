using Lifeguard.Configuration;
using Lifeguard.Postgres.Pooler;
using Lifeguard.TestSupport;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Pooler;

public sealed class PgBouncerSettingsQueryTests
{
    [Fact]
    public async Task QueryAsync_RealPgBouncer_ReadsModeSizesVersionAndPairsFromTheAdminConsole()
    {
        await using var bouncer = await TestPgBouncer.StartAsync("transaction", "max_client_conn = 150\ndefault_pool_size = 7\nreserve_pool_size = 2");

        var settings = await PgBouncerSettingsQuery.QueryAsync(bouncer.AdminConnectionString, TestContext.Current.CancellationToken);

        settings.Kind.ShouldBe("pgbouncer");
        settings.Mode.ShouldBe(PoolerMode.Transaction);
        settings.MaxClientConnections.ShouldBe(150);
        settings.DefaultPoolSize.ShouldBe(7);
        settings.ReservePoolSize.ShouldBe(2);
        settings.ListenPort.ShouldBe(bouncer.Port);
        settings.Version.ShouldNotBeNull();
        settings.Version!.Major.ShouldBe(1);
        settings.PairPoolSizes.ShouldBe([7]); // the one [databases] entry, at default_pool_size
        if (settings.Version < PoolerSettings.PreparedStatementsSince) settings.MaxPreparedStatements.ShouldBeNull();
    }

    [Fact]
    public async Task QueryAsync_RealPgBouncer_TheRulesSeeTheSameConnectionStringThroughIt()
    {
        // The check's pooler rules on settings read from a live pooler: Npgsql's defaults behind transaction mode.
        await using var bouncer = await TestPgBouncer.StartAsync("transaction", "max_client_conn = 20");
        var settings = await PgBouncerSettingsQuery.QueryAsync(bouncer.AdminConnectionString, TestContext.Current.CancellationToken);
        var app = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Port = bouncer.Port, MaxPoolSize = 10, Timeout = 3, ConnectionLifetime = 3600 };
        var pool = NpgsqlPoolConfigurationReader.Read("app", app.ConnectionString);

        var findings = PoolConfigurationRules.Evaluate([pool], new PoolCheckOptions { Instances = 3, Pooler = settings });

        // 3 × 10 = 30 clients > max_client_conn 20; No Reset On Close unset.
        findings.Select(f => f.RuleId).ShouldBe(["LG017", "LG014"]);

        // And the string works through it, as the rules assume.
        await using var connection = new NpgsqlConnection(app.ConnectionString + ";No Reset On Close=true");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        (await command.ExecuteScalarAsync(TestContext.Current.CancellationToken)).ShouldBe(1);
    }
}
