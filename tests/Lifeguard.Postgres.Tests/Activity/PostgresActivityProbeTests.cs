using Dapper;
using Lifeguard.Postgres.Activity;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Activity;

public sealed class PostgresActivityProbeTests
{
    [Fact]
    public async Task ReadAsync_SessionRunningAndIdle_CountsThemAndTheClustersCpu()
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Pooling = false, ApplicationName = "probe-test-session" }.ConnectionString;
        await using var probe = await PostgresActivityProbe.OpenAsync(TestPostgres.ConnectionString, "probe-test", cancellationToken: ct);
        var first = await probe.ReadAsync(ct);
        first.CpuCores.ShouldBeNull(); // no interval yet

        await using var idle = new NpgsqlConnection(cs);
        await idle.OpenAsync(ct);
        await using var busy = new NpgsqlConnection(cs);
        await busy.OpenAsync(ct);
        // A statement that burns the server's CPU until the probe has read it.
        var burning = busy.ExecuteAsync("SELECT count(*) FROM generate_series(1, 400000000)", commandTimeout: 60);
        PostgresActivityReading during;
        var readings = 0;
        do
        {
            await Task.Delay(300, ct);
            during = await probe.ReadAsync(ct);
        }
        while (during.ActiveBackends < 1 && ++readings < 50);
        await Task.Delay(500, ct);
        during = await probe.ReadAsync(ct);
        await idle.ExecuteAsync("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'probe-test-session' AND state = 'active' AND pid <> pg_backend_pid()");
        await Should.ThrowAsync<PostgresException>(() => burning);

        during.ActiveBackends.ShouldBeGreaterThanOrEqualTo(1);
        during.Backends.ShouldBeGreaterThanOrEqualTo(2);
        during.CpuCores.ShouldNotBeNull();
        during.CpuCores.Value.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task ReadBudgetAsync_RealServer_IsTheCheckBudget()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var probe = await PostgresActivityProbe.OpenAsync(TestPostgres.ConnectionString, "probe-test-budget", cancellationToken: ct);

        var fromProbe = await probe.ReadBudgetAsync(ct);
        var fromCheck = await PostgresServerBudget.QueryAsync(TestPostgres.ConnectionString, ct);

        fromProbe.MaxConnections.ShouldBe(fromCheck.MaxConnections);
        fromProbe.ReservedConnections.ShouldBe(fromCheck.ReservedConnections);
        fromProbe.UsableConnections.ShouldBe(fromProbe.MaxConnections - fromProbe.ReservedConnections);
    }
}
