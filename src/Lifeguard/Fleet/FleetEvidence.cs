using System.Globalization;
using Lifeguard.Diagnosis;

namespace Lifeguard.Fleet;

/// <summary>What the fleet adds to a connection_limit diagnosis: whether the instances' pools together oversubscribe the
/// server, who holds the slots, what pool size fits, and whether siblings are refused while this instance holds slots.
/// Pure: read from the registry's latest reading carried in the server signals.</summary>
internal static class FleetEvidence
{
    /// <summary>Whether a sibling was refused connections (53300) at its latest heartbeat while this instance holds
    /// slots: its own diagnosis must not read healthy, its slots are part of the cause.</summary>
    public static bool SiblingsRefused(DiagnosisSample s) =>
        s.Server?.Fleet is { } fleet && RefusedSiblings(fleet).Count > 0 && HeldBySelf(fleet, s.Pool) > 0;

    /// <summary>Whether the fleet's pools together may open more connections than the server has for them.</summary>
    public static bool Oversubscribed(DiagnosisSample s) => s.Server?.Fleet is { Budget.Oversubscribed: true, Instances.Count: > 1 };

    /// <summary>Whether this instance's requests queue on the fleet governor's cap, below its own Maximum Pool Size: the
    /// cap is its share of the server's slots, so the server's slots are the limit, not the pool's size (a governed
    /// instance read pool_too_small, "raise Maximum Pool Size above 3", in the fleet drill).</summary>
    public static bool GovernorQueue(DiagnosisSample s) =>
        CappedBelowPool(s) && s.Pool is { } p && p.InUse >= p.Max && (p.Waiters > 0 || p.Timeouts > 0);

    /// <summary>Whether the governor caps this instance below its pool's Maximum Pool Size now.</summary>
    public static bool CappedBelowPool(DiagnosisSample s) =>
        s.Pool is { Max: > 0 } p && s.Server?.Fleet is { Governor: { } g } fleet && p.Max <= g.Cap && SelfPoolMax(fleet) is { } max && max > p.Max;

    /// <summary>The remedy when the governor holds this instance to its share and its requests queue there.</summary>
    public const string GovernorRemedy =
        "The fleet needs more connections at once than the server has for it, and the governor shares them out: shorten how long requests hold a connection (the slowest routes above), spread the load over fewer busy instances, put a pooler such as PgBouncer in front, or raise max_connections if the server has the memory. Raising Maximum Pool Size changes nothing: the governor caps every instance to its share.";

    /// <summary>The fleet's evidence lines (none without a fleet reading).</summary>
    public static List<string> Lines(DiagnosisSample s)
    {
        var lines = new List<string>();
        if (s.Server?.Fleet is not { } fleet) return lines;
        var b = fleet.Budget;
        if (CappedBelowPool(s) && fleet.Governor is { } g && s.Pool is { } pool)
        {
            lines.Add(F($"fleet: the governor caps this instance at {g.Cap} of its pool's {SelfPoolMax(fleet)} connection(s), its share of the {g.Budget} slot(s) it shares out among {fleet.Instances.Count} instance(s) (its load needs {g.Wanted}): {pool.Waiters} request(s) wait here for a connection instead of being refused by the server"));
        }
        var refused = RefusedSiblings(fleet);
        if (refused.Count > 0)
        {
            lines.Add(F($"fleet: your siblings are refused: {string.Join("; ", refused.Select(i => F($"{Name(i.ApplicationName)} {i.Refused} refused open(s)")))} since their last heartbeat, while this instance holds {HeldBySelf(fleet, s.Pool)} slot(s)"));
        }
        lines.Add(b.Oversubscribed
            ? F($"fleet: {b.Instances} instance(s) oversubscribe the server: their pools may open {b.Demand} connection(s) (Σ Maximum Pool Size, or the governor's claims), the server has {b.Budget} for them ({b.UsableSlots} usable − {b.OtherClients} held by other clients)")
            : F($"fleet: {b.Instances} instance(s), pools may open {b.Demand} of the {b.Budget} slot(s) left for them ({b.UsableSlots} usable − {b.OtherClients} held by other clients)"));
        var holders = fleet.Instances.Where(i => i.SlotsHeld > 0).OrderByDescending(i => i.SlotsHeld).ThenBy(i => i.ApplicationName, StringComparer.Ordinal).Take(3).ToList();
        if (holders.Count > 0)
        {
            lines.Add("fleet: most slots held by: " + string.Join("; ", holders.Select(i =>
                F($"{Name(i.ApplicationName)}{(i.ApplicationName == fleet.Self ? " (this instance)" : "")} {i.SlotsHeld} (pool max {i.PoolMax}, {i.InUse} in use, {i.Waiting} waiting)"))));
        }
        if (b.Oversubscribed && b.Instances > 0)
        {
            var fits = F($"fleet: a Maximum Pool Size of at most {b.FitsPerInstance} per instance fits ({b.Instances} × {b.FitsPerInstance} ≤ {b.Budget})");
            if (Sizes(fleet) is { } sizes) fits += "; for the measured load: " + sizes;
            lines.Add(fits);
        }
        return lines;
    }

    /// <summary>The remedy when the fleet oversubscribes: the size that fits, the governor, a pooler.</summary>
    public static string Remedy(DiagnosisSample s)
    {
        var b = s.Server!.Fleet!.Budget;
        return F($"The fleet's pools together may open {b.Demand} connections where {b.Budget} fit: set each instance's Maximum Pool Size to at most {b.FitsPerInstance} (or the measured sizes above) so the sum stays within the budget, turn on the fleet governor, or put a pooler such as PgBouncer in front; raise max_connections only if the server has the memory.");
    }

    // Each instance's share for its measured load (max-min fair): the sizing advisor's answer for the fleet.
    private static string? Sizes(FleetSignals fleet)
    {
        if (fleet.Instances.All(i => i.Wanted is null)) return null;
        var members = fleet.Instances.Select(i => new FleetMember(i.ApplicationName, i.PoolMax, i.Wanted ?? i.PoolMax, i.Claim ?? 0)).ToList();
        var shares = FleetShares.Of(fleet.Budget.Budget, members);
        return string.Join("; ", fleet.Instances.OrderBy(i => i.ApplicationName, StringComparer.Ordinal)
            .Select(i => F($"{Name(i.ApplicationName)} {shares[i.ApplicationName]} (needs {i.Wanted?.ToString(CultureInfo.InvariantCulture) ?? "?"})")));
    }

    private static List<FleetInstance> RefusedSiblings(FleetSignals fleet) =>
        fleet.Instances.Where(i => i.Refused > 0 && i.ApplicationName != fleet.Self).OrderByDescending(i => i.Refused).Take(3).ToList();

    private static int? SelfPoolMax(FleetSignals fleet) => fleet.Instances.FirstOrDefault(i => i.ApplicationName == fleet.Self)?.PoolMax;

    private static int HeldBySelf(FleetSignals fleet, PoolSecond? pool) =>
        Math.Max(fleet.Instances.FirstOrDefault(i => i.ApplicationName == fleet.Self)?.SlotsHeld ?? 0, pool?.InUse ?? 0);

    // Application names come from clients: quoted, one line, short.
    private static string Name(string application) =>
        "'" + new string(application.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray()) + (application.Length > 64 ? "…'" : "'");

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
