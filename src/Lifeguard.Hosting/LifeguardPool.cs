namespace Lifeguard.Hosting;

/// <summary>One guarded pool of the app: its DI service key (null for the unkeyed DbDataSource) and its guard.</summary>
/// <param name="ServiceKey">The key it was registered with; null for the unkeyed pool.</param>
/// <param name="Guard">The guard around the pool's data source.</param>
public sealed record LifeguardPool(object? ServiceKey, GuardedDataSource Guard)
{
    /// <summary>The name of the pool's options and health entry: "" for the unkeyed pool, else the key as text.</summary>
    public string Name => LifeguardPools.NameOf(ServiceKey);
}
