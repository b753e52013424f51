using System.Data.Common;
using System.Diagnostics.Metrics;
using Lifeguard;
using Lifeguard.AspNetCore;
using Lifeguard.AspNetCore.Admission;
using Lifeguard.Hosting.Diagnosis;
using Lifeguard.Diagnosis;
using Lifeguard.AspNetCore.Health;
using Lifeguard.AspNetCore.Management;
using Lifeguard.Telemetry;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Lifeguard guard around the app's <see cref="DbDataSource"/>.</summary>
public static class LifeguardServiceCollectionExtensions
{
    /// <summary>Decorates the registered <see cref="DbDataSource"/> with a <see cref="GuardedDataSource"/> and adds
    /// its metrics (OpenTelemetry meter "Lifeguard" in the app's MeterProvider, plus the Prometheus exporter behind
    /// /metrics, which collects only when scraped), health check and per-request attribution, and binds
    /// <see cref="LifeguardEndpointOptions"/> from <c>Lifeguard:Endpoints</c> (the management port). Call after
    /// registering the DbDataSource; options are validated when the app starts.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The keyed overload mirrors the unkeyed one, as Npgsql's AddNpgsqlDataSource(..., serviceKey) does; the required first parameter tells them apart.")]
    public static IServiceCollection AddLifeguard(this IServiceCollection services, Action<LifeguardOptions>? configure = null)
    {
        services.AddGuardedDataSource(configure);
        services.AddHealthChecks().AddCheck<LifeguardHealthCheck>("lifeguard");
        return AddWeb(services);
    }

    /// <summary>As <see cref="AddLifeguard(IServiceCollection, Action{LifeguardOptions}?)"/> for the <see cref="DbDataSource"/>
    /// registered under <paramref name="serviceKey"/> (Npgsql's <c>AddNpgsqlDataSource(cs, serviceKey: key)</c>): one more
    /// pool with its own pool name (the key unless set), named options, health entry <c>lifeguard:{key}</c> and entry in
    /// /lifeguard/state's <c>pools</c>. Call once per pool; the unkeyed AddLifeguard may be called beside it.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The keyed overload mirrors the unkeyed one, as Npgsql's AddNpgsqlDataSource(..., serviceKey) does; the required first parameter tells them apart.")]
    public static IServiceCollection AddLifeguard(this IServiceCollection services, object serviceKey, Action<LifeguardOptions>? configure = null)
    {
        services.AddGuardedDataSource(serviceKey, configure);
        var name = Lifeguard.Hosting.LifeguardPools.NameOf(serviceKey);
        services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration("lifeguard:" + name,
            sp =>
            {
                var guard = sp.GetRequiredKeyedService<GuardedDataSource>(serviceKey);
                var primary = ReferenceEquals(sp.GetRequiredService<Lifeguard.Hosting.LifeguardPools>().Primary.Guard, guard);
                return new LifeguardHealthCheck(guard, Options.Options.Create(sp.GetRequiredService<IOptionsMonitor<LifeguardOptions>>().Get(name)),
                    primary ? sp.GetRequiredService<LifeguardDiagnosisService>() : null);
            },
            failureStatus: null, tags: null));
        return AddWeb(services);
    }

    // What every pool shares: endpoints, metrics export, diagnosis, attribution, admission handling; added once.
    private static IServiceCollection AddWeb(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(LifeguardManagementAddress))) return services;
        services.AddOptions<LifeguardEndpointOptions>().BindConfiguration(LifeguardEndpointOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new LifeguardManagementAddress(sp.GetRequiredService<IOptions<LifeguardEndpointOptions>>().Value));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ManagementMatcherPolicy>());
        services.AddHostedService<ManagementAddressCheck>();

        // The app's own MeterProvider (one per service collection): an app exporting OTLP gets the meter there too.
        services.AddOpenTelemetry().ConfigureResource(r => r.AddLifeguardIdentity()).WithMetrics(m => m
            .AddLifeguardInstrumentation()
            // Fresh numbers on every scrape: the exporter caches responses for 300 ms by default.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        // The diagnoser (Lifeguard.Hosting, as in a worker service) samples the primary pool and the server, when
        // AddLifeguardPostgres registered its reader; the endpoints, health and live page read it.
        services.AddLifeguardDiagnosis();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, LifeguardStartupFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, AdmissionExceptionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeveloperPageExceptionFilter, AdmissionDeveloperPageFilter>());
        return services;
    }
}
