using System.Globalization;

namespace Lifeguard.Fleet;

/// <summary>One step of the fleet governor for one instance, pure so it is proven apart from the registry.</summary>
/// <remarks>Safety: an instance lowers its cap at once but raises it only into room the others' published claims leave
/// under the budget. Steps run one at a time (the registry serialises them with a lock), so the claims never add up
/// to more than the budget — during a rebalance, a join (a newcomer starts at 0 and takes only free room) or a crash (a
/// dead instance's claim stays counted until its heartbeat expires; its connections died with it).</remarks>
public static class FleetGovernor
{
    /// <summary>The next cap and claim for <paramref name="self"/>, given the live members (including itself, with its
    /// current claim), the budget and the connections it holds now.</summary>
    public static GovernorDecision Step(string self, int budget, IReadOnlyList<FleetMember> live, int held)
    {
        ArgumentNullException.ThrowIfNull(live);
        var me = live.SingleOrDefault(m => m.Instance == self)
            ?? throw new ArgumentException($"'{self}' is not among the live members.", nameof(self));
        var target = FleetShares.Of(budget, live)[self];
        var current = me.Claim;
        if (target <= current)
        {
            // Lower now; the claim follows the connections down as leases return.
            var claim = Math.Min(current, Math.Max(target, held));
            return new(target, target, claim, target == current
                ? F($"holding its share: {target} of {budget} slots across {live.Count} instance(s)")
                : F($"lowered from {current} to its share {target} of {budget} slots across {live.Count} instance(s)"));
        }
        var others = live.Where(m => m.Instance != self).Sum(m => m.Claim);
        var room = budget - others;
        var cap = Math.Max(current, Math.Min(target, room));
        return new(target, cap, cap, cap == target
            ? F($"raised from {current} to its share {target} of {budget} slots across {live.Count} instance(s)")
            : F($"wants {target} of {budget} slots; raised to {cap} while the others' claims ({others}) come down"));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
