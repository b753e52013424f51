namespace Lifeguard.Diagnosis;

/// <summary>The root of a lock queue: a session that blocks others and is blocked by nobody.</summary>
/// <param name="Pid">Server process id (what pg_terminate_backend takes).</param>
/// <param name="State">e.g. "idle in transaction", "active".</param>
/// <param name="Application">application_name.</param>
/// <param name="User">The role.</param>
/// <param name="Client">Client address.</param>
/// <param name="TransactionAgeSeconds">How long its transaction has been open.</param>
/// <param name="StateAgeSeconds">How long it has been in its state.</param>
/// <param name="Query">Its current or last statement.</param>
/// <param name="Blocked">Sessions waiting behind it, directly or through others.</param>
public sealed record BlockingSession(int Pid, string State, string Application, string User, string Client,
    double TransactionAgeSeconds, double StateAgeSeconds, string Query, int Blocked);
