using Lifeguard.Diagnosis;

namespace Lifeguard.Postgres.Diagnosis;

/// <summary>
/// What pg_stat_activity says about the server, as the diagnoser's signals: who holds the slots, who is on CPU or
/// waiting and on what, the lock queues and their root blocker, idle transactions, and the guarded application's own
/// sessions (told apart by application_name). Only client backends are judged; lock queues and open transactions count
/// only in the reader's database (another database's are not this application's cause; its slots and CPU are).
/// </summary>
internal static class ActivitySignals
{
    /// <summary>The client backend type in pg_stat_activity.</summary>
    public const string ClientBackend = "client backend";

    /// <summary>The session-derived part of the signals; the reader adds the round trip, budget, CPU and statements.</summary>
    /// <param name="all">Every backend but the reader's own.</param>
    /// <param name="applicationName">The guarded application's application_name; null or empty when not known.</param>
    public static ServerSignals From(IReadOnlyList<ServerSession> all, string? applicationName)
    {
        var clients = all.Where(s => s.BackendType == ClientBackend).ToList();
        var active = clients.Where(s => s.State == "active").ToList();
        var onCpu = active.Count(s => s.WaitType.Length == 0);
        var waits = active.GroupBy(s => s.WaitType.Length == 0 ? ("CPU", "CPU") : (s.WaitType, s.WaitEvent))
            .Select(g => new WaitEventCount(g.Key.Item1, g.Key.Item2, g.Count())).OrderByDescending(w => w.Sessions).ToList();
        var lockWaiters = clients.Where(s => s.SameDatabase && s.WaitType == "Lock").ToList();
        var idleTx = clients.Where(s => s.SameDatabase && IsIdleInTransaction(s)).ToList();
        var app = string.IsNullOrEmpty(applicationName) ? [] : clients.Where(s => s.Application == applicationName).ToList();
        var appIdleTx = app.Where(IsIdleInTransaction).ToList();
        var holders = clients.GroupBy(s => (s.Application, s.User, s.Client))
            .Select(g => new SlotHolder(g.Key.Application, g.Key.User, g.Key.Client, g.Count()))
            .OrderByDescending(h => h.Connections).Take(10).ToList();

        return new ServerSignals
        {
            Reachable = true,
            Backends = clients.Count + 1, // + the reader's own connection, which holds a slot too
            SlotHolders = holders,
            OnCpuBy = active.Where(s => s.WaitType.Length == 0).GroupBy(s => (s.Application, s.User, s.Client))
                .Select(g => new SlotHolder(g.Key.Application, g.Key.User, g.Key.Client, g.Count()))
                .OrderByDescending(h => h.Connections).ThenBy(h => h.Application, StringComparer.Ordinal).Take(5).ToList(),
            Active = active.Count,
            ActiveOnCpu = onCpu,
            WaitEvents = waits,
            LockWaiters = lockWaiters.Count,
            LongestLockWaitSeconds = lockWaiters.Count == 0 ? 0 : Math.Round(lockWaiters.Max(s => s.StateAge), 3),
            RootBlocker = RootBlocker.Find(clients, lockWaiters),
            IdleInTransaction = idleTx.Count,
            ApplicationName = string.IsNullOrEmpty(applicationName) ? null : applicationName,
            AppLockWaiters = app.Count(s => s.WaitType == "Lock"),
            AppActiveOnCpu = app.Count(s => s.State == "active" && s.WaitType.Length == 0),
            AppActive = app.Count(s => s.State == "active"),
            AppBackends = app.Count,
            AppIdleInTransaction = appIdleTx.Count,
            AppLongestIdleInTransactionSeconds = appIdleTx.Count == 0 ? 0 : Math.Round(appIdleTx.Max(s => s.StateAge), 3),
        };
    }

    /// <summary>Client backends by state, the reader's own counted as active (it is, while it reads): what the server
    /// metrics export as lifeguard.postgres.connections{state}. A null state reads "unknown".</summary>
    public static IReadOnlyDictionary<string, int> ConnectionsByState(IReadOnlyList<ServerSession> all)
    {
        var byState = all.Where(s => s.BackendType == ClientBackend)
            .GroupBy(s => s.State.Length == 0 ? "unknown" : s.State, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        byState["active"] = byState.GetValueOrDefault("active") + 1;
        return byState;
    }

    private static bool IsIdleInTransaction(ServerSession s) => s.State.StartsWith("idle in transaction", StringComparison.Ordinal);
}
