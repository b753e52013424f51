namespace Lifeguard.Fleet;

/// <summary>Divides the server's connection budget among the fleet's instances: each gets what its measured load
/// needs when that fits, spare slots are shared out as headroom, and when demand exceeds the budget the slots are
/// shared max-min fairly (a small instance keeps all it needs, the big ones are levelled). Deterministic: every
/// instance computes the same shares from the same registry rows.</summary>
public static class FleetShares
{
    /// <summary>Each member's share; they add up to at most <paramref name="budget"/>, and every member gets at least
    /// one connection when the budget has one for each.</summary>
    public static IReadOnlyDictionary<string, int> Of(int budget, IReadOnlyList<FleetMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        budget = Math.Max(0, budget);
        var ordered = members.OrderBy(m => m.Instance, StringComparer.Ordinal).ToArray();
        var want = ordered.Select(m => Math.Clamp(m.Wanted, 1, Math.Max(1, m.PoolMax))).ToArray();
        var share = new int[ordered.Length];
        if (want.Sum() <= budget)
        {
            Array.Copy(want, share, want.Length);
            // Spare slots become headroom for bursts, one at a time in name order, never above a pool's maximum.
            var spare = budget - want.Sum();
            for (var progress = true; spare > 0 && progress;)
            {
                progress = false;
                for (var i = 0; i < share.Length && spare > 0; i++)
                {
                    if (share[i] >= ordered[i].PoolMax) continue;
                    share[i]++;
                    spare--;
                    progress = true;
                }
            }
        }
        else
        {
            // Water-filling: raise a common level until the budget is spent; members wanting less keep what they want.
            var level = 0;
            while (want.Sum(w => Math.Min(w, level + 1)) <= budget) level++;
            for (var i = 0; i < share.Length; i++) share[i] = Math.Min(want[i], level);
            var rest = budget - share.Sum();
            for (var i = 0; i < share.Length && rest > 0; i++)
            {
                if (want[i] <= level) continue;
                share[i]++;
                rest--;
            }
        }
        var result = new Dictionary<string, int>(ordered.Length, StringComparer.Ordinal);
        for (var i = 0; i < ordered.Length; i++) result[ordered[i].Instance] = share[i];
        return result;
    }
}
