using System.Data.Common;
using Lifeguard.Telemetry;
using Lifeguard.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry.Metrics;

namespace Lifeguard.Hosting.Tests;

/// <summary>
/// Two hosts in one process (a test suite hosting its app twice, an app hosting two services): OpenTelemetry subscribes
/// to meters by name, and both hosts' guards use the meter "Lifeguard", so without care each pipeline also took the
/// other host's instruments: their values merged into one series, and when the other host stopped its meter the series
/// vanished from this host's /metrics (seen: a scrape with only target_info).
/// </summary>
public sealed class TwoHostsInOneProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddLifeguardInstrumentation_AnotherHostLeasesAndStops_ThisHostExportsOnlyItsOwnPoolAndKeepsIt()
    {
        var cs = TestPostgres.For(maxPoolSize: 3, timeoutSeconds: 10, application: "lifeguard-hosting-tests");
        var (mine, mineExported) = await StartAsync(cs, maxPoolSize: 3);
        using (mine)
        {
            var (other, _) = await StartAsync(cs, maxPoolSize: 3);
            using (other)
            {
                await LeaseAsync(mine, 1);
                await LeaseAsync(other, 2);
                Export(mine, mineExported).ShouldBe((1, 3), "this host's use_time count and max, without the other host's");
                await other.StopAsync(Ct);
            }

            // The other host's meter is disposed now; this host's series must stay.
            await LeaseAsync(mine, 1);
            Export(mine, mineExported).ShouldBe((2, 3), "this host's series after the other host stopped");
        }
    }

    private static async Task<(IHost Host, List<Metric> Exported)> StartAsync(string cs, int maxPoolSize)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
        builder.Services.AddSingleton<DbDataSource>(_ => NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = maxPoolSize }.ConnectionString));
        builder.Services.AddGuardedDataSource();
        var exported = new List<Metric>();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddLifeguardInstrumentation().AddInMemoryExporter(exported));
        var host = builder.Build();
        await host.StartAsync(Ct);
        return (host, exported);
    }

    private static async Task LeaseAsync(IHost host, int times)
    {
        var db = host.Services.GetRequiredService<DbDataSource>();
        for (var i = 0; i < times; i++)
        {
            await using var connection = await db.OpenConnectionAsync(Ct);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT 1";
            await cmd.ExecuteScalarAsync(Ct);
        }
    }

    // (use_time count, max) as this host's pipeline exports them now; -1 when the series is missing
    private static (long UseTimeCount, long Max) Export(IHost host, List<Metric> exported)
    {
        exported.Clear();
        host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000).ShouldBeTrue();
        long count = -1, max = -1;
        foreach (var metric in exported)
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                if (metric.Name == LifeguardInstruments.UseTime) count = count < 0 ? point.GetHistogramCount() : count + point.GetHistogramCount();
                if (metric.Name == LifeguardInstruments.Max)
                {
                    var value = metric.MetricType is MetricType.LongGauge ? point.GetGaugeLastValueLong() : point.GetSumLong();
                    max = max < 0 ? value : max + value;
                }
            }

        return (count, max);
    }
}
