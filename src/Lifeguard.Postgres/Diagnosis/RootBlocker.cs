using Lifeguard.Diagnosis;

namespace Lifeguard.Postgres.Diagnosis;

/// <summary>
/// Finds who is at the head of the lock queues: follows pg_blocking_pids from every lock waiter to the sessions blocked
/// by nobody. The root blocking most waiters wins (lowest pid on a tie), so the evidence names the idle transaction
/// behind an ALTER TABLE, not the ALTER every later query queues behind.
/// </summary>
internal static class RootBlocker
{
    /// <summary>The root blocker of the largest lock queue among <paramref name="clients"/>; null when nobody waits.</summary>
    public static BlockingSession? Find(IReadOnlyList<ServerSession> clients, IReadOnlyList<ServerSession> lockWaiters)
    {
        if (lockWaiters.Count == 0) return null;
        var byPid = clients.ToDictionary(s => s.Pid);
        var blocked = new Dictionary<int, HashSet<int>>();
        foreach (var waiter in lockWaiters)
        {
            foreach (var root in Roots(waiter.Pid, byPid, []))
            {
                if (!blocked.TryGetValue(root, out var set)) blocked[root] = set = [];
                set.Add(waiter.Pid);
            }
        }
        if (blocked.Count == 0) return null;
        var (pid, victims) = blocked.OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Key).First();
        if (!byPid.TryGetValue(pid, out var s))
            return new BlockingSession(pid, "(not a client session)", "", "", "", 0, 0, "", victims.Count);
        return new BlockingSession(s.Pid, s.State, s.Application, s.User, s.Client, Math.Round(s.XactAge, 1), Math.Round(s.StateAge, 1), s.Query, victims.Count);
    }

    private static IEnumerable<int> Roots(int pid, Dictionary<int, ServerSession> byPid, HashSet<int> seen)
    {
        if (!seen.Add(pid)) yield break; // a cycle is a deadlock; the server breaks it
        var blockers = byPid.TryGetValue(pid, out var s) ? s.BlockedBy : null;
        if (blockers is null || blockers.Length == 0)
        {
            yield return pid;
            yield break;
        }
        foreach (var b in blockers)
        {
            // The waiter itself is not a root; its blockers are, or theirs.
            if (byPid.TryGetValue(b, out var bs) && bs.BlockedBy is { Length: > 0 })
            {
                foreach (var r in Roots(b, byPid, seen)) yield return r;
            }
            else
            {
                yield return b;
            }
        }
    }
}
