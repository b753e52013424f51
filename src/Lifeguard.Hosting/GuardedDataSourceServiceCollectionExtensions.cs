using System.Data.Common;
using System.Diagnostics.Metrics;
using Lifeguard;
using Lifeguard.Diagnosis;
using Lifeguard.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts the app's <see cref="DbDataSource"/> under the guard in any host (worker service, console or web app).</summary>
public static class GuardedDataSourceServiceCollectionExtensions
{
    /// <summary>Decorates the unkeyed <see cref="DbDataSource"/> with a <see cref="GuardedDataSource"/> (resolvable as both)
    /// and registers its <see cref="LifeguardOptions"/>, validated when the app starts. Call after registering the data
    /// source; export the metrics with <c>AddLifeguardInstrumentation()</c> in the app's OpenTelemetry pipeline.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The keyed overload mirrors the unkeyed one, as Npgsql's AddNpgsqlDataSource(..., serviceKey) does; the required first parameter tells them apart.")]
    public static IServiceCollection AddGuardedDataSource(this IServiceCollection services, Action<LifeguardOptions>? configure = null) =>
        Add(services, serviceKey: null, configure);

    /// <summary>Decorates the <see cref="DbDataSource"/> registered under <paramref name="serviceKey"/> (e.g. by Npgsql's
    /// <c>AddNpgsqlDataSource(cs, serviceKey: key)</c>) with a keyed <see cref="GuardedDataSource"/>; its options are
    /// the named options <c>serviceKey.ToString()</c>, and its pool is named after the key unless
    /// <see cref="LifeguardOptions.PoolName"/> says otherwise (two pools on one database stay apart).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The keyed overload mirrors the unkeyed one, as Npgsql's AddNpgsqlDataSource(..., serviceKey) does; the required first parameter tells them apart.")]
    public static IServiceCollection AddGuardedDataSource(this IServiceCollection services, object serviceKey, Action<LifeguardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        return Add(services, serviceKey, configure);
    }

    private static IServiceCollection Add(IServiceCollection services, object? serviceKey, Action<LifeguardOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var name = LifeguardPools.NameOf(serviceKey);
        var keyed = serviceKey is not null;
        var original = services.LastOrDefault(d => d.ServiceType == typeof(DbDataSource) && d.IsKeyedService == keyed
                                                  && (!keyed || Equals(d.ServiceKey, serviceKey)))
            ?? throw new InvalidOperationException(keyed
                ? $"AddLifeguard(\"{name}\") guards the DbDataSource registered under that key, but none is. Register it first, e.g. " +
                  $"services.AddNpgsqlDataSource(connectionString, serviceKey: \"{name}\"), then call AddLifeguard(\"{name}\")."
                : "AddLifeguard() guards the app's DbDataSource, but none is registered. Register it first, e.g. " +
                  "services.AddSingleton<DbDataSource>(NpgsqlDataSource.Create(connectionString)), then call AddLifeguard().");
        if (services.Any(d => d.ServiceType == typeof(LifeguardPoolRegistration) && d.ImplementationInstance is LifeguardPoolRegistration r
                              && Equals(r.ServiceKey, serviceKey)))
            throw new InvalidOperationException(keyed ? $"AddLifeguard(\"{name}\") was called twice." : "AddLifeguard() was called twice.");

        var options = services.AddOptions<LifeguardOptions>(name);
        // A keyed pool is named after its key by default: the connection-string name would merge two pools on one database.
        if (keyed) options.Configure(o => o.PoolName = name);
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();

        services.Remove(original);
        if (keyed)
        {
            var createInner = KeyedInnerFactory(original);
            services.AddKeyedSingleton(serviceKey, (sp, key) => Create(sp, createInner(sp, key), name));
            services.AddKeyedSingleton<DbDataSource>(serviceKey, (sp, key) => sp.GetRequiredKeyedService<GuardedDataSource>(key));
        }
        else
        {
            var createInner = InnerFactory(original);
            services.AddSingleton(sp => Create(sp, createInner(sp), name));
            services.AddSingleton<DbDataSource>(sp => sp.GetRequiredService<GuardedDataSource>());
        }
        services.AddSingleton(new LifeguardPoolRegistration(serviceKey));
        // Who this process is in a fleet (Lifeguard:Service / Lifeguard:Instance): its sessions' Application Name.
        services.TryAddSingleton(sp => LifeguardIdentityConfiguration.Read(sp.GetService<Microsoft.Extensions.Configuration.IConfiguration>()));
        services.TryAddSingleton(sp => new LifeguardPools(sp, sp.GetServices<LifeguardPoolRegistration>()));
        if (!services.Any(d => d.ServiceType == typeof(ZeroCountersService)))
        {
            services.AddSingleton(sp => new ZeroCountersService(sp.GetRequiredService<LifeguardPools>(), sp.GetService<Hosting.IHostApplicationLifetime>()));
            services.AddSingleton<Hosting.IHostedService>(sp => sp.GetRequiredService<ZeroCountersService>());
        }
        return services;
    }

    private static GuardedDataSource Create(IServiceProvider sp, DbDataSource inner, string name) => new(
        inner,
        WithClassifier(sp.GetRequiredService<IOptionsMonitor<LifeguardOptions>>().Get(name), sp),
        sp.GetService<IMeterFactory>(),
        sp.GetService<ILoggerFactory>(),
        sp.GetService<TimeProvider>(),
        ownsInner: true);

    // A provider's classifier registered beside the guard (AddLifeguardPostgres) is used unless one was set.
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

    private static Func<IServiceProvider, object?, DbDataSource> KeyedInnerFactory(ServiceDescriptor d)
    {
        if (d.KeyedImplementationInstance is DbDataSource instance) return (_, _) => instance;
        if (d.KeyedImplementationFactory is { } factory) return (sp, key) => (DbDataSource)factory(sp, key);
        if (d.KeyedImplementationType is { } type) return (sp, _) => (DbDataSource)ActivatorUtilities.CreateInstance(sp, type);
        throw new InvalidOperationException("The keyed DbDataSource cannot be decorated: it has no instance, factory or type.");
    }
}
