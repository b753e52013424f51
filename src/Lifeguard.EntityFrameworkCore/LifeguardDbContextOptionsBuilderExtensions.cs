using System.Runtime.CompilerServices;
using Lifeguard;
using Lifeguard.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.EntityFrameworkCore;

/// <summary>One line that puts an EF Core context under the guard.</summary>
public static class LifeguardDbContextOptionsBuilderExtensions
{
    // One pair of interceptors per guard: the options action runs for every context, the interceptors are stateless.
    private static readonly ConditionalWeakTable<GuardedDataSource, Interceptors> s_interceptors = new();

    /// <summary>Leases every connection open of the context through <paramref name="guard"/> (wait, hold, leaks,
    /// attribution, admission control) and reports its command errors to the guard's diagnosis. Configure the provider
    /// first, e.g. <c>o.UseNpgsql(dataSource).UseLifeguard(guard)</c>; the connection then comes from the guard's inner
    /// data source.</summary>
    public static DbContextOptionsBuilder UseLifeguard(this DbContextOptionsBuilder builder, GuardedDataSource guard)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(guard);
        var i = s_interceptors.GetValue(guard, g => new Interceptors(new LifeguardConnectionInterceptor(g), new LifeguardCommandInterceptor(g)));
        return builder.AddInterceptors(i.Connection, i.Command);
    }

    /// <summary><see cref="UseLifeguard(DbContextOptionsBuilder, GuardedDataSource)"/> with the guard registered by
    /// <c>AddLifeguard()</c> (or <c>AddLifeguard(serviceKey, ...)</c> when <paramref name="serviceKey"/> is given).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "One overload takes the guard, the other finds it in DI (optionally keyed); the required second parameter tells them apart.")]
    public static DbContextOptionsBuilder UseLifeguard(this DbContextOptionsBuilder builder, IServiceProvider services, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var guard = serviceKey is null
            ? services.GetService<GuardedDataSource>()
            : services.GetKeyedService<GuardedDataSource>(serviceKey);
        return builder.UseLifeguard(guard ?? throw new InvalidOperationException(
            "UseLifeguard(services) needs a guard in DI: call services.AddLifeguard(" + (serviceKey is null ? "" : "serviceKey, ") + "...) first."));
    }

    /// <summary>Typed <see cref="UseLifeguard(DbContextOptionsBuilder, GuardedDataSource)"/>.</summary>
    public static DbContextOptionsBuilder<TContext> UseLifeguard<TContext>(this DbContextOptionsBuilder<TContext> builder, GuardedDataSource guard)
        where TContext : DbContext =>
        (DbContextOptionsBuilder<TContext>)((DbContextOptionsBuilder)builder).UseLifeguard(guard);

    /// <summary>Typed <see cref="UseLifeguard(DbContextOptionsBuilder, IServiceProvider, object?)"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "One overload takes the guard, the other finds it in DI (optionally keyed); the required second parameter tells them apart.")]
    public static DbContextOptionsBuilder<TContext> UseLifeguard<TContext>(this DbContextOptionsBuilder<TContext> builder, IServiceProvider services,
        object? serviceKey = null) where TContext : DbContext =>
        (DbContextOptionsBuilder<TContext>)((DbContextOptionsBuilder)builder).UseLifeguard(services, serviceKey);

    private sealed record Interceptors(LifeguardConnectionInterceptor Connection, LifeguardCommandInterceptor Command);
}
