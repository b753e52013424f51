using Microsoft.Extensions.DependencyInjection;

namespace Lifeguard.Hosting;

/// <summary>Every guarded pool registered in the app, in registration order (a singleton in DI).</summary>
public sealed class LifeguardPools
{
    private readonly Lazy<IReadOnlyList<LifeguardPool>> _all;

    /// <summary>Created by DI from the registrations AddGuardedDataSource left.</summary>
    internal LifeguardPools(IServiceProvider services, IEnumerable<LifeguardPoolRegistration> registrations)
    {
        var keys = registrations.Select(r => r.ServiceKey).ToList();
        // Resolved on first use: a guard is created only when something asks for it, as before.
        _all = new(() => keys.Select(k => new LifeguardPool(k, k is null
            ? services.GetRequiredService<GuardedDataSource>()
            : services.GetRequiredKeyedService<GuardedDataSource>(k))).ToList());
    }

    /// <summary>All pools.</summary>
    public IReadOnlyList<LifeguardPool> All => _all.Value;

    /// <summary>The pool that whole-app views (diagnosis, the live page) show first: the unkeyed one, else the first registered.</summary>
    public LifeguardPool Primary => All.FirstOrDefault(p => p.ServiceKey is null) ?? All[0];

    /// <summary>The options name (and health entry suffix) of a pool: "" for the unkeyed pool, else the key as text.</summary>
    public static string NameOf(object? serviceKey) =>
        serviceKey is null ? Microsoft.Extensions.Options.Options.DefaultName
            : serviceKey.ToString() is { Length: > 0 } s ? s
            : throw new ArgumentException("A Lifeguard pool's service key must have a non-empty ToString(): it names the pool's options and health entry.", nameof(serviceKey));
}
