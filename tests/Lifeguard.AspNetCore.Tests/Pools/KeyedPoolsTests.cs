using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Lifeguard.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Metrics;

namespace Lifeguard.AspNetCore.Tests.Pools;

/// <summary>Several pools in one app: Npgsql's keyed AddNpgsqlDataSource, each guarded by AddLifeguard(key).</summary>
/// <remarks>Alone: the OpenTelemetry SDK listens to every "Lifeguard" meter in the process, so a second pool's series
/// would show in the /metrics of apps other tests run meanwhile (which count their series).</remarks>
[Collection(MeterAloneCollection.Name)]
public sealed class KeyedPoolsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<GuardedTestApp> StartWithReportsPoolAsync(Action<IServiceCollection>? more = null) =>
        GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 5, timeoutSeconds: 5, application: "lifeguard-web-tests"), map: app =>
        {
            app.MapLifeguard();
            app.MapGet("/report", async ([FromKeyedServices("reports")] DbDataSource reports, CancellationToken ct) =>
            {
                await using var connection = await reports.OpenConnectionAsync(ct);
                await using var cmd = connection.CreateCommand();
                cmd.CommandText = "SELECT 1";
                return Results.Text(Convert.ToString(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture));
            });
        }, services: s =>
        {
            // Same database, its own pool: the pool name comes from the key, so the two stay apart.
            s.AddNpgsqlDataSource(new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { MaxPoolSize = 3 }.ConnectionString,
                serviceKey: "reports");
            s.AddLifeguard("reports", o => o.WaitP99Slo = TimeSpan.FromSeconds(20));
            more?.Invoke(s);
        });

    [Fact]
    public async Task AddLifeguardKeyed_QueryOnTheKeyedPool_IsItsLeaseInStateHealthAndMetrics()
    {
        await using var app = await StartWithReportsPoolAsync();
        (await app.Client.GetStringAsync("/report", Ct)).ShouldBe("1");
        (await app.Client.GetStringAsync("/query", Ct)).ShouldNotBeEmpty();

        var state = await app.StateAsync();
        // The top level is still the unkeyed pool, as the live page reads it.
        state.GetProperty("leases").GetInt64().ShouldBe(1);
        var pools = state.GetProperty("pools").EnumerateArray().ToList();
        pools.Count.ShouldBe(2);
        pools[0].GetProperty("service_key").ValueKind.ShouldBe(JsonValueKind.Null);
        var reports = pools[1];
        reports.GetProperty("service_key").GetString().ShouldBe("reports");
        reports.GetProperty("pool_name").GetString().ShouldBe("reports");
        reports.GetProperty("max").GetInt32().ShouldBe(3);
        reports.GetProperty("leases").GetInt64().ShouldBe(1);

        var (code, health) = await app.HealthAsync();
        code.ShouldBe(200);
        var checks = health.GetProperty("checks");
        checks.GetProperty("lifeguard").GetProperty("data").GetProperty("pool").GetString().ShouldNotBe("reports");
        var keyed = checks.GetProperty("lifeguard:reports");
        keyed.GetProperty("status").GetString().ShouldBe("Healthy");
        keyed.GetProperty("data").GetProperty("pool").GetString().ShouldBe("reports");
        keyed.GetProperty("data").GetProperty("waitP99SloMs").GetDouble().ShouldBe(20_000);

        // The live page lists every pool from state.pools.
        (await app.Management.GetStringAsync("/lifeguard", Ct)).ShouldContain("id=\"pools\"");
        (await app.Management.GetStringAsync("/lifeguard/page.js", Ct)).ShouldContain("s.pools");

        var metrics = await app.Management.GetStringAsync("/metrics", Ct);
        metrics.ShouldMatch("db_client_connection_use_time_seconds_count\\{[^}]*db_client_connection_pool_name=\"reports\"[^}]*\\} 1");
        metrics.ShouldMatch("db_client_connection_max\\{[^}]*db_client_connection_pool_name=\"reports\"[^}]*\\} 3");
    }

    [Fact]
    public async Task AddLifeguardKeyed_TheSameKeyTwice_Throws()
    {
        var services = new ServiceCollection();
        services.AddNpgsqlDataSource(TestPostgres.ConnectionString, serviceKey: "a");
        services.AddLifeguard("a");
        Should.Throw<InvalidOperationException>(() => services.AddLifeguard("a")).Message.ShouldContain("twice");
        await Task.CompletedTask;
    }

    [Fact]
    public void AddLifeguardKeyed_NoDataSourceUnderTheKey_ThrowsNamingTheFix()
    {
        var services = new ServiceCollection();
        services.AddNpgsqlDataSource(TestPostgres.ConnectionString);
        Should.Throw<InvalidOperationException>(() => services.AddLifeguard("reports")).Message.ShouldContain("serviceKey: \"reports\"");
    }

    [Fact]
    public async Task AddLifeguard_AppWithItsOwnMetricsPipeline_GetsTheLifeguardMeterThere()
    {
        // The app's own exporter (in-memory here, OTLP in production) sits in the same MeterProvider as /metrics.
        var exported = new List<Metric>();
        await using var app = await StartWithReportsPoolAsync(s => s.AddOpenTelemetry().WithMetrics(m => m.AddInMemoryExporter(exported)));
        (await app.Client.GetStringAsync("/report", Ct)).ShouldBe("1");

        // The Prometheus reader only collects when scraped, so ForceFlush reports false for it; the in-memory one exports.
        app.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
        var use = exported.Where(m => m.Name == Telemetry.LifeguardInstruments.UseTime).ToList();
        use.ShouldNotBeEmpty();
        var pools = new List<string>();
        foreach (var metric in use)
            foreach (ref readonly var point in metric.GetMetricPoints())
                foreach (var tag in point.Tags)
                    if (tag.Key == Telemetry.LifeguardInstruments.PoolNameTag) pools.Add((string)tag.Value!);
        pools.ShouldContain("reports");
    }
}

