namespace Lifeguard.Diagnosis;

/// <summary>What the database server shows at one sample, read on a connection of the diagnoser's own.</summary>
public sealed record ServerSignals
{
    /// <summary>Whether the server answered this sample.</summary>
    public required bool Reachable { get; init; }
    /// <summary>Why it did not (the provider's message, for the evidence only).</summary>
    public string? Error { get; init; }
    /// <summary>The typed kind of that error.</summary>
    public ConnectionErrorKind? ErrorKind { get; init; }
    /// <summary>Round trip of a trivial query: the fastest of a few back to back (a slower wire slows each of them, a
    /// CPU-starved host only some).</summary>
    public double RoundTripMs { get; init; }
    /// <summary>How late a 1 ms timer ran on the sampling host just before that round trip: the host's own scheduling
    /// delay, which lengthens a round trip as a slower network does; null when not measured.</summary>
    public double? HostLagMs { get; init; }
    /// <summary>Share of the time since the previous sample (0..1) in which some task on the sampling host waited for a
    /// CPU (Linux pressure stall information); null where it cannot be read. A host whose tasks queue for a core wakes
    /// late for replies, which lengthens round trips as a slower network does.</summary>
    public double? HostCpuPressure { get; init; }
    /// <summary>When the server (postmaster) started.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>Whether the start time changed since the previous answer: the server restarted.</summary>
    public bool Restarted { get; init; }
    /// <summary>max_connections.</summary>
    public int MaxConnections { get; init; }
    /// <summary>Slots only superusers (or reserved roles) may use.</summary>
    public int ReservedConnections { get; init; }
    /// <summary>Client backends connected now, the diagnoser's own included.</summary>
    public int Backends { get; init; }
    /// <summary>Slots ordinary clients can use.</summary>
    public int UsableConnections => Math.Max(0, MaxConnections - ReservedConnections);
    /// <summary>Who holds the slots, largest group first.</summary>
    public IReadOnlyList<SlotHolder> SlotHolders { get; init; } = [];
    /// <summary>Client sessions executing a statement (the diagnoser's own excluded).</summary>
    public int Active { get; init; }
    /// <summary>Active sessions not waiting on anything: on CPU (or queued for one).</summary>
    public int ActiveOnCpu { get; init; }
    /// <summary>The database server's cores (an option, or read from the host when local).</summary>
    public double Cores { get; init; }
    /// <summary>CPU the server's processes used, in cores, when it can be measured (local server); null otherwise.</summary>
    public double? CpuCoresUsed { get; init; }
    /// <summary>Share of the host's CPU time busy (0..1) when the server is local; null otherwise. Sessions on a host whose
    /// CPUs are all busy queue for CPU even when the server's own processes get less than its cores.</summary>
    public double? HostCpuBusy { get; init; }
    /// <summary>Who the sessions on CPU are (application, user, client address), largest group first: the client burning
    /// the CPU.</summary>
    public IReadOnlyList<SlotHolder> OnCpuBy { get; init; } = [];
    /// <summary>Active sessions by wait event, largest first.</summary>
    public IReadOnlyList<WaitEventCount> WaitEvents { get; init; } = [];
    /// <summary>Sessions waiting on a lock (wait_event_type Lock).</summary>
    public int LockWaiters { get; init; }
    /// <summary>How long the longest lock wait has lasted.</summary>
    public double LongestLockWaitSeconds { get; init; }
    /// <summary>The root blocker of the largest lock queue, if any.</summary>
    public BlockingSession? RootBlocker { get; init; }
    /// <summary>Sessions idle in transaction (all clients).</summary>
    public int IdleInTransaction { get; init; }
    /// <summary>application_name of the guarded application's sessions; null when not known.</summary>
    public string? ApplicationName { get; init; }
    /// <summary>The application's sessions on CPU.</summary>
    public int AppActiveOnCpu { get; init; }
    /// <summary>The application's sessions running a statement (state active), on CPU or waiting.</summary>
    public int AppActive { get; init; }
    /// <summary>The application's sessions waiting on a lock.</summary>
    public int AppLockWaiters { get; init; }
    /// <summary>The guarded application's own sessions (told apart by application_name).</summary>
    public int AppBackends { get; init; }
    /// <summary>The application's sessions idle in transaction.</summary>
    public int AppIdleInTransaction { get; init; }
    /// <summary>The longest of those, in seconds.</summary>
    public double AppLongestIdleInTransactionSeconds { get; init; }
    /// <summary>Whether statement statistics (pg_stat_statements) could be read.</summary>
    public bool StatementsAvailable { get; init; }
    /// <summary>Server execution time of all statements per second, recently.</summary>
    public double ExecutionMsPerSecond { get; init; }
    /// <summary>Statements whose mean time grew, worst first.</summary>
    public IReadOnlyList<StatementSlowdown> SlowedStatements { get; init; } = [];
    /// <summary>The fleet this instance belongs to, from the registry's latest heartbeat; null when the fleet registry is
    /// off or not read yet.</summary>
    public Lifeguard.Fleet.FleetSignals? Fleet { get; init; }
    /// <summary>Whether this reading came through a connection pooler (the backend behind the reader's connection changed, or a
    /// pooler answered): its slots and sessions are then only what the pooler's server connections show, not the server's.</summary>
    public bool ReadThroughPooler { get; init; }
}
