using Npgsql;

namespace Lifeguard.Postgres.Tests;

public sealed class PostgresServerBudgetTests
{
    [Fact]
    public async Task QueryAsync_RealServer_ReportsSettingsAndCountsOtherClients()
    {
        var cs = TestPostgres.ConnectionString;
        var ct = TestContext.Current.CancellationToken;
        var before = await PostgresServerBudget.QueryAsync(cs, ct);
        before.MaxConnections.ShouldBeGreaterThan(0);
        before.ReservedConnections.ShouldBeGreaterThanOrEqualTo(1); // superuser_reserved_connections defaults to 3
        before.ServerVersion.ShouldStartWith("15");

        // Two extra held connections must show up as other clients (other tests may add more, never fewer).
        var extra = new NpgsqlConnectionStringBuilder(cs) { Pooling = false, ApplicationName = "budget-test-holder" }.ConnectionString;
        await using var a = new NpgsqlConnection(extra);
        await using var b = new NpgsqlConnection(extra);
        await a.OpenAsync(ct);
        await b.OpenAsync(ct);
        await using (var cmd = new NpgsqlCommand("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = 'budget-test-holder'", a))
        {
            ((int)(await cmd.ExecuteScalarAsync(ct))!).ShouldBe(2);
        }
        var during = await PostgresServerBudget.QueryAsync(cs, ct);
        during.OtherClientConnections.ShouldBeGreaterThanOrEqualTo(2);
        during.Available.ShouldBe(during.MaxConnections - during.ReservedConnections - during.OtherClientConnections);
    }
}
