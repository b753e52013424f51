using System.Data.Common;
using Lifeguard.Hosting;
using Lifeguard.Telemetry;
using Lifeguard.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry.Metrics;

namespace Lifeguard.Hosting.Tests;

/// <summary>A worker service (generic host, no ASP.NET) with two guarded pools and its own OpenTelemetry exporter.</summary>
public sealed class WorkerServiceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddGuardedDataSource_WorkerWithTwoPoolsAndItsOwnExporter_LeasesAreMeasuredAndExportedPerPool()
    {
        var cs = TestPostgres.For(maxPoolSize: 3, timeoutSeconds: 10, application: "lifeguard-hosting-tests");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
        builder.Services.AddSingleton<DbDataSource>(_ => NpgsqlDataSource.Create(cs));
        builder.Services.AddKeyedSingleton<DbDataSource>("jobs", (_, _) => NpgsqlDataSource.Create(cs));
        builder.Services.AddGuardedDataSource();
        builder.Services.AddGuardedDataSource("jobs", o => o.MaxOperations = 10);
        var exported = new List<Metric>();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddLifeguardInstrumentation().AddInMemoryExporter(exported));
        using var host = builder.Build();
        await host.StartAsync(Ct);

        var jobs = host.Services.GetRequiredKeyedService<DbDataSource>("jobs").ShouldBeOfType<GuardedDataSource>();
        host.Services.GetRequiredService<DbDataSource>().ShouldBeOfType<GuardedDataSource>().ShouldNotBeSameAs(jobs);
        jobs.PoolName.ShouldBe("jobs");
        for (var i = 0; i < 2; i++)
        {
            await using var connection = await jobs.OpenConnectionAsync(Ct);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT 1";
            await cmd.ExecuteScalarAsync(Ct);
        }

        var pools = host.Services.GetRequiredService<LifeguardPools>();
        pools.All.Select(p => p.Name).ShouldBe(["", "jobs"]);
        pools.Primary.ServiceKey.ShouldBeNull();
        jobs.Snapshot().Leases.ShouldBe(2);
        jobs.Snapshot().Wait.Count.ShouldBe(2);

        host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000).ShouldBeTrue();
        Points(exported, LifeguardInstruments.UseTime).ShouldContain(p => p.Pool == "jobs" && p.Count == 2);
        // Counters start at 0 once the host has started, so the first timeout shows as an increase.
        Points(exported, LifeguardInstruments.Timeouts).ShouldContain(p => p.Pool == "jobs" && p.Count == 0);
        Points(exported, LifeguardInstruments.Timeouts).ShouldContain(p => p.Pool != "jobs" && p.Count == 0);
        AppDomain.CurrentDomain.GetAssemblies().ShouldNotContain(a => a.GetName().Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        await host.StopAsync(Ct);
    }

    [Fact]
    public void AddGuardedDataSource_InvalidOptions_FailWhenTheHostStarts()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddKeyedSingleton<DbDataSource>("jobs", (_, _) => NpgsqlDataSource.Create("Host=127.0.0.1"));
        builder.Services.AddGuardedDataSource("jobs", o => o.MaxOperations = 0);
        using var host = builder.Build();
        Should.Throw<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync(Ct).GetAwaiter().GetResult())
            .OptionsName.ShouldBe("jobs");
    }

    private static List<(string? Pool, long Count)> Points(List<Metric> exported, string name)
    {
        var points = new List<(string?, long)>();
        foreach (var metric in exported.Where(m => m.Name == name))
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                string? pool = null;
                foreach (var tag in point.Tags)
                    if (tag.Key == LifeguardInstruments.PoolNameTag) pool = (string?)tag.Value;
                var count = metric.MetricType == MetricType.Histogram ? point.GetHistogramCount() : point.GetSumLong();
                points.Add((pool, count));
            }
        return points;
    }
}
