using System.Diagnostics.Metrics;
using Dapper;
using Lifeguard.Postgres.ServerMetrics;
using Lifeguard.Tests;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lifeguard.Postgres.Tests;

public sealed class PostgresServerMetricsTests : IDisposable
{
    private readonly TestMeterFactory _meters = new();

    private IMeterFactory Meters => _meters;

    private PostgresServerMetrics Create(string connectionString) =>
        new(connectionString, Options.Create(new PostgresServerMetricsOptions()), Meters, TimeProvider.System, NullLogger<PostgresServerMetrics>.Instance);

    [Fact]
    public async Task PollOnce_RealServer_GaugesReportTheServersBudgetAndConnections()
    {
        var cs = TestPostgres.ConnectionString;
        using var metrics = Create(cs);
        using var max = new MetricCollector<int>(Meters, PostgresServerMetrics.MeterName, "lifeguard.postgres.max_connections");
        using var reserved = new MetricCollector<int>(Meters, PostgresServerMetrics.MeterName, "lifeguard.postgres.reserved_connections");
        using var connections = new MetricCollector<int>(Meters, PostgresServerMetrics.MeterName, "lifeguard.postgres.connections");
        await using var own = new NpgsqlConnection(cs);
        await own.OpenAsync(TestContext.Current.CancellationToken);
        var expectedMax = await own.ExecuteScalarAsync<int>("SELECT current_setting('max_connections')::int");
        var expectedReserved = await own.ExecuteScalarAsync<int>("SELECT current_setting('superuser_reserved_connections')::int");

        (await metrics.PollOnceAsync(TestContext.Current.CancellationToken)).ShouldBeTrue();
        foreach (var c in new[] { max, reserved, connections }) c.RecordObservableInstruments();

        max.LastMeasurement!.Value.ShouldBe(expectedMax);
        reserved.LastMeasurement!.Value.ShouldBe(expectedReserved);
        var byState = connections.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["state"]!, m => m.Value);
        // This test's own open connection and the poller's own are both client backends on the server.
        byState.Values.Sum().ShouldBeGreaterThanOrEqualTo(2);
        byState.Keys.ShouldContain("active"); // the poller's query was running when pg_stat_activity was read
    }

    [Fact]
    public async Task PollOnce_ServerUnreachable_ReportsNothingRatherThanAStaleBudget()
    {
        var good = TestPostgres.ConnectionString;
        using var metrics = Create(good);
        (await metrics.PollOnceAsync(TestContext.Current.CancellationToken)).ShouldBeTrue();

        // Same exporter type, pointed at a port nothing listens on.
        var unreachable = new NpgsqlConnectionStringBuilder(good) { Port = 1, Timeout = 1 }.ConnectionString;
        using var broken = Create(unreachable);
        using var max = new MetricCollector<int>(Meters, PostgresServerMetrics.MeterName, "lifeguard.postgres.max_connections");

        (await broken.PollOnceAsync(TestContext.Current.CancellationToken)).ShouldBeFalse();
        broken.Latest.ShouldBeNull();
        max.RecordObservableInstruments();
        // Only the healthy exporter reports.
        max.GetMeasurementSnapshot().Count.ShouldBe(1);
    }

    public void Dispose() => _meters.Dispose();
}
