namespace Lifeguard.Postgres.Fleet;

/// <summary>The pool the fleet governor caps: the guard's gate where leases begin, and the provider's idle connections.</summary>
internal interface IGovernedPool
{
    /// <summary>The provider's Maximum Pool Size: never given more.</summary>
    int MaximumPoolSize { get; }

    /// <summary>The cap on leases at once now (the pool's maximum when uncapped).</summary>
    int Cap { get; }

    /// <summary>Connections leased now, opens past the gate included.</summary>
    int Leased { get; }

    /// <summary>Sets the cap on leases at once; null lifts it.</summary>
    void SetCap(int? cap);

    /// <summary>Closes the idle physical connections now (busy ones close when returned), so the server's sessions follow
    /// a lowered cap; false when the provider cannot.</summary>
    bool ClearIdle();
}
