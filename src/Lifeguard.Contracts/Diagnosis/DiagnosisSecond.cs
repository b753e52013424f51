namespace Lifeguard.Diagnosis;

/// <summary>One second of the diagnosis history: the cause named and the numbers that matter most.</summary>
public sealed record DiagnosisSecond
{
    /// <summary>When.</summary>
    public required DateTimeOffset At { get; init; }
    /// <summary>The cause named at that second.</summary>
    public required DiagnosisCause Cause { get; init; }
    /// <summary>Pool connections in use.</summary>
    public int InUse { get; init; }
    /// <summary>Pool maximum.</summary>
    public int Max { get; init; }
    /// <summary>Requests waiting for a connection.</summary>
    public int Waiters { get; init; }
    /// <summary>Wait p99 in that second.</summary>
    public double WaitP99Ms { get; init; }
    /// <summary>Hold p99 in that second.</summary>
    public double HoldP99Ms { get; init; }
    /// <summary>Pool timeouts plus errors in that second.</summary>
    public int Failures { get; init; }
    /// <summary>Whether the server answered (null without a server source).</summary>
    public bool? ServerReachable { get; init; }
    /// <summary>Sessions on CPU.</summary>
    public int ActiveOnCpu { get; init; }
    /// <summary>Sessions waiting on locks.</summary>
    public int LockWaiters { get; init; }
    /// <summary>Active sessions waiting on anything but a lock or the CPU (I/O, the client, IPC...).</summary>
    public int ActiveWaiting { get; init; }
    /// <summary>The database server's cores (0 when not known): the line active sessions on CPU are read against.</summary>
    public double Cores { get; init; }
    /// <summary>Client backends on the server.</summary>
    public int Backends { get; init; }
    /// <summary>Trivial-query round trip.</summary>
    public double RoundTripMs { get; init; }
}
