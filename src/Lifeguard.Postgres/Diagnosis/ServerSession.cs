namespace Lifeguard.Postgres.Diagnosis;

/// <summary>One row of pg_stat_activity as the server reader reads it (the reader's own session left out).</summary>
/// <param name="Pid">The backend's process id.</param>
/// <param name="State">pg_stat_activity.state ("" when null, as for background workers).</param>
/// <param name="WaitType">wait_event_type ("" when not waiting: on CPU).</param>
/// <param name="WaitEvent">wait_event.</param>
/// <param name="Application">application_name.</param>
/// <param name="User">usename.</param>
/// <param name="Client">The client address, "local" for a socket.</param>
/// <param name="BackendType">backend_type; only "client backend" sessions are judged.</param>
/// <param name="XactAge">Seconds since the session's transaction began (0 outside one).</param>
/// <param name="StateAge">Seconds since its state last changed.</param>
/// <param name="Query">Its current or last statement, normalised and cut short.</param>
/// <param name="BlockedBy">pg_blocking_pids for a session waiting on a lock; null otherwise.</param>
/// <param name="SameDatabase">Whether it is connected to the reader's database.</param>
internal sealed record ServerSession(int Pid, string State, string WaitType, string WaitEvent, string Application, string User, string Client,
    string BackendType, double XactAge, double StateAge, string Query, int[]? BlockedBy, bool SameDatabase = true);
