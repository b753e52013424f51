using System.Diagnostics.Metrics;
using Dapper;
using Lifeguard.Postgres.Diagnosis;
using Lifeguard.Postgres.ServerMetrics;
using Lifeguard.Tests;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lifeguard.Postgres.Tests.ServerMetrics;

/// <summary>The server gauges export the server reader's sample: the one the diagnoser judged, never a second query.</summary>
public sealed class PostgresServerMetricsTests : IDisposable
{
    private readonly TestMeterFactory _meters = new();

    private IMeterFactory Meters => _meters;

    private PostgresServerMetrics Create(PostgresServerSignalSource reader) =>
        new(reader, Options.Create(new PostgresServerMetricsOptions()), Meters, TimeProvider.System);

    [Fact]
    public async Task PollOnce_RealServer_GaugesReportTheServersBudgetAndConnections()
    {
        var cs = TestPostgres.ConnectionString;
        await using var reader = new PostgresServerSignalSource(cs);
        using var metrics = Create(reader);
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
        // This test's own open connection and the reader's own are both client backends on the server.
        byState.Values.Sum().ShouldBeGreaterThanOrEqualTo(2);
        byState.Keys.ShouldContain("active"); // the reader's query was running when pg_stat_activity was read
    }

    [Fact]
    public async Task PollOnce_ServerUnreachable_ReportsNothingRatherThanAStaleBudget()
    {
        var good = TestPostgres.ConnectionString;
        await using var goodReader = new PostgresServerSignalSource(good);
        using var metrics = Create(goodReader);
        (await metrics.PollOnceAsync(TestContext.Current.CancellationToken)).ShouldBeTrue();

        // Same exporter type, over a reader pointed at a port nothing listens on.
        var unreachable = new NpgsqlConnectionStringBuilder(good) { Port = 1 }.ConnectionString;
        await using var brokenReader = new PostgresServerSignalSource(unreachable, new PostgresDiagnosisOptions { ConnectTimeoutSeconds = 1 });
        using var broken = Create(brokenReader);
        using var max = new MetricCollector<int>(Meters, PostgresServerMetrics.MeterName, "lifeguard.postgres.max_connections");

        (await broken.PollOnceAsync(TestContext.Current.CancellationToken)).ShouldBeFalse();
        broken.Latest.ShouldBeNull();
        max.RecordObservableInstruments();
        // Only the healthy exporter reports.
        max.GetMeasurementSnapshot().Count.ShouldBe(1);
    }

    [Fact]
    public async Task PollOnce_DiagnoserSampledWithinThePollInterval_ExportsThatSampleWithoutQueryingAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = new PostgresServerSignalSource(TestPostgres.ConnectionString);
        using var metrics = Create(reader);
        var judged = await reader.SampleAsync(ct); // as the diagnoser does, once a second
        var sample = reader.Latest;

        (await metrics.PollOnceAsync(ct)).ShouldBeTrue();

        reader.Latest.ShouldBeSameAs(sample);
        metrics.Latest!.Signals.ShouldBeSameAs(judged);
    }

    public void Dispose() => _meters.Dispose();
}
