using System.Data.Common;
using Lifeguard.Diagnosis;
using Lifeguard.Hosting.Diagnosis;
using Lifeguard.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Lifeguard.Hosting.Tests.Diagnosis;

/// <summary>A worker service (generic host, no ASP.NET) gets the same live diagnosis as a web app.</summary>
public sealed class LifeguardDiagnosisServiceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IHost Build(bool postgres)
    {
        var cs = TestPostgres.For(maxPoolSize: 3, timeoutSeconds: 10, application: "lifeguard-hosting-diagnosis");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
        builder.Services.AddSingleton<DbDataSource>(_ => NpgsqlDataSource.Create(cs));
        builder.Services.AddGuardedDataSource();
        builder.Services.AddLifeguardDiagnosis(o => o.HistorySeconds = 60);
        if (postgres) builder.Services.AddLifeguardPostgres();
        return builder.Build();
    }

    [Fact]
    public async Task AddLifeguardDiagnosis_PlainHostOverARealServer_DiagnoserRunsAndReadsTheServer()
    {
        using var host = Build(postgres: true);
        await host.StartAsync(Ct);
        var diagnosis = host.Services.GetRequiredService<LifeguardDiagnosisService>();
        diagnosis.ObservesServer.ShouldBeTrue();

        // Sampled by the host's own background loop, once a second: nothing here calls SampleOnceAsync.
        await TestPostgres.Eventually(() => diagnosis.History().Count >= 2 && diagnosis.Current.Signals?.Server is { Reachable: true }, "two seconds diagnosed with the server read");
        var current = diagnosis.Current;
        current.Cause.ShouldBe(DiagnosisCause.Healthy, current.Summary);
        current.Signals!.Server!.ApplicationName.ShouldBe("lifeguard-hosting-diagnosis"); // told apart by the pool's Application Name
        current.Signals.Pool.ShouldNotBeNull();
        AppDomain.CurrentDomain.GetAssemblies().ShouldNotContain(a => a.GetName().Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task AddLifeguardDiagnosis_WithoutAServerReader_JudgesThePoolAlone()
    {
        using var host = Build(postgres: false);
        await host.StartAsync(Ct);
        var diagnosis = host.Services.GetRequiredService<LifeguardDiagnosisService>();
        diagnosis.ObservesServer.ShouldBeFalse();
        var d = await diagnosis.SampleOnceAsync(Ct);
        d.Signals!.Pool.ShouldNotBeNull();
        d.Signals.Server.ShouldBeNull();
        await host.StopAsync(Ct);
    }
}
