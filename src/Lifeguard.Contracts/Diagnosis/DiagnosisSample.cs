namespace Lifeguard.Diagnosis;

/// <summary>One second of signals: the guard's view and, when a server source is configured, the server's.</summary>
/// <param name="At">When it was taken.</param>
/// <param name="Pool">The pool's interval; null when diagnosing from the server alone.</param>
/// <param name="Server">The server's side; null without a server source.</param>
public sealed record DiagnosisSample(DateTimeOffset At, PoolSecond? Pool, ServerSignals? Server)
{
    /// <summary>The pooler in front of the server (PgBouncer's admin console); null when none is configured.</summary>
    public PoolerSignals? Pooler { get; init; }
}
