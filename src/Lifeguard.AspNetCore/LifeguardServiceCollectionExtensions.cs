using System.Data.Common;
using System.Diagnostics.Metrics;
using Lifeguard;
using Lifeguard.AspNetCore;
using Lifeguard.AspNetCore.Admission;
using Lifeguard.AspNetCore.Diagnosis;
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

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Lifeguard guard around the app's <see cref="DbDataSource"/>.</summary>
public static class LifeguardServiceCollectionExtensions
{
    /// <summary>Decorates the registered <see cref="DbDataSource"/> with a <see cref="GuardedDataSource"/> and adds
    /// its metrics (OpenTelemetry meter "Lifeguard" with the Prometheus exporter), health check and per-request
    /// attribution, and binds <see cref="LifeguardEndpointOptions"/> from <c>Lifeguard:Endpoints</c> (the management
    /// port). Call after registering the DbDataSource; options are validated when the app starts.</summary>
    public static IServiceCollection AddLifeguard(this IServiceCollection services, Action<LifeguardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var original = services.LastOrDefault(d => d.ServiceType == typeof(DbDataSource) && !d.IsKeyedService)
            ?? throw new InvalidOperationException(
                "AddLifeguard() guards the app's DbDataSource, but none is registered. Register it first, e.g. " +
                "services.AddSingleton<DbDataSource>(NpgsqlDataSource.Create(connectionString)), then call AddLifeguard().");
        if (original.ImplementationType == typeof(GuardedDataSource) || services.Any(d => d.ServiceType == typeof(GuardedDataSource)))
            throw new InvalidOperationException("AddLifeguard() was called twice.");

        var options = services.AddOptions<LifeguardOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();

        var createInner = InnerFactory(original);
        services.Remove(original);
        services.AddSingleton(sp => new GuardedDataSource(
            createInner(sp),
            WithClassifier(sp.GetRequiredService<IOptions<LifeguardOptions>>().Value, sp),
            sp.GetService<IMeterFactory>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>(),
            ownsInner: true));
        services.AddSingleton<DbDataSource>(sp => sp.GetRequiredService<GuardedDataSource>());

        services.AddOptions<LifeguardEndpointOptions>().BindConfiguration(LifeguardEndpointOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new LifeguardManagementAddress(sp.GetRequiredService<IOptions<LifeguardEndpointOptions>>().Value));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ManagementMatcherPolicy>());
        services.AddHostedService<ManagementAddressCheck>();

        services.AddHealthChecks().AddCheck<LifeguardHealthCheck>("lifeguard");
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(LifeguardInstruments.MeterName)
            // Fresh numbers on every scrape: the exporter caches responses for 300 ms by default.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        services.AddHostedService<ZeroCountersService>();
        // The diagnoser samples the guard (and the server, when e.g. AddLifeguardPostgresDiagnosis registered a source).
        services.AddOptions<DiagnosisOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LifeguardDiagnosisService>();
        services.AddHostedService(sp => sp.GetRequiredService<LifeguardDiagnosisService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, LifeguardStartupFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, AdmissionExceptionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeveloperPageExceptionFilter, AdmissionDeveloperPageFilter>());
        return services;
    }

    // A provider's classifier registered beside the guard (AddLifeguardPostgresDiagnosis) is used unless one was set.
    private static LifeguardOptions WithClassifier(LifeguardOptions options, IServiceProvider sp)
    {
        if (options.ErrorClassifier is null && sp.GetService<IConnectionErrorClassifier>() is { } classifier) options.ErrorClassifier = classifier;
        return options;
    }

    private static Func<IServiceProvider, DbDataSource> InnerFactory(ServiceDescriptor d)
    {
        if (d.ImplementationInstance is DbDataSource instance) return _ => instance;
        if (d.ImplementationFactory is { } factory) return sp => (DbDataSource)factory(sp);
        if (d.ImplementationType is { } type) return sp => (DbDataSource)ActivatorUtilities.CreateInstance(sp, type);
        throw new InvalidOperationException("The registered DbDataSource cannot be decorated: it has no instance, factory or type.");
    }
}
