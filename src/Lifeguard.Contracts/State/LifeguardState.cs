using System.Diagnostics.CodeAnalysis;

namespace Lifeguard;

/// <summary>The body of /lifeguard/state (snake_case, <see cref="Contracts.ContractJson.Options"/>, whatever the host's JSON
/// options): the primary pool's reading at the top, the shape the live page and scripts read, plus <see cref="Pools"/>,
/// every guarded pool's reading with its <see cref="PoolSnapshot.ServiceKey"/>.</summary>
public sealed record LifeguardState : PoolSnapshot
{
    /// <summary>For deserializers; the endpoint uses <see cref="Of"/>.</summary>
    public LifeguardState()
    {
    }

    [SetsRequiredMembers]
    private LifeguardState(PoolSnapshot primary)
        : base(primary)
    {
    }

    /// <summary>Every guarded pool's reading, in registration order.</summary>
    public IReadOnlyList<PoolSnapshot> Pools { get; init; } = [];

    /// <summary>The pooler in front of the server (PgBouncer) at the diagnoser's latest sample; null when none is read.</summary>
    public Lifeguard.Diagnosis.PoolerSignals? Pooler { get; init; }

    /// <summary>The state of an app whose whole-app views show <paramref name="primary"/> first.</summary>
    public static LifeguardState Of(PoolSnapshot primary, IReadOnlyList<PoolSnapshot> pools)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(pools);
        return new LifeguardState(primary) { Pools = pools };
    }
}
