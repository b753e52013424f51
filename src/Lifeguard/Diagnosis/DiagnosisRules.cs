using System.Globalization;

namespace Lifeguard.Diagnosis;

/// <summary>
/// The rules, one per cause, each the discriminating test the anchors use, judged on one second of signals.
/// Pure: the <see cref="Diagnoser"/> decides which held long enough and which is the root.
/// </summary>
internal static class DiagnosisRules
{
    public static List<RuleFinding> Evaluate(DiagnosisSample s, DiagnosisBaseline b, DiagnosisOptions o)
    {
        var found = new List<RuleFinding>();
        Add(found, Unavailable(s, o));
        Add(found, ConnectionLimit(s, o));
        Add(found, Lock(s, o));
        Add(found, Leak(s, o));
        Add(found, SlowQueries(s, b, o));
        Add(found, Cpu(s, b, o));
        Add(found, Network(s, b, o));
        Add(found, PoolerSaturated(s, o));
        Add(found, PoolTooSmall(s, b, o));
        return found;
    }

    /// <summary>Whether users are affected this second, whatever the cause: queueing (beyond a burst the pool absorbs),
    /// timeouts, rejections, errors.</summary>
    public static bool Symptom(DiagnosisSample s, DiagnosisOptions o) =>
        s.Pool is { } p && (p.Waiters > 0 && !AbsorbedBurst(p, o) || p.Timeouts > 0 || p.Rejections > 0 || p.Errors.Total > 0)
        || s.Server is { Reachable: false };

    // A shallow queue (up to a request and a half per connection) whose waits stay short and that times nothing out drains within a
    // hold or two: busy traffic, seen in the accuracy corpus's busy control (three times the traffic on a starved host,
    // 4 to 15 waiting on 10 connections for 3 s, wait p99 under 0.8 s, then none), not users failed by the pool.
    private static bool AbsorbedBurst(PoolSecond p, DiagnosisOptions o) =>
        p is { Max: > 0, Timeouts: 0, Rejections: 0 } && p.Waiters <= o.BurstQueuePerConnection * p.Max && p.WaitP99Ms < o.BurstWaitMs;

    /// <summary>Statements that count as slowed under the options' thresholds.</summary>
    public static List<StatementSlowdown> Slowed(ServerSignals? server, DiagnosisOptions o) =>
        server?.SlowedStatements.Where(x => x.Growth >= o.StatementGrowthFactor && x.RecentMeanMs >= o.StatementMinMeanMs).ToList() ?? [];

    private static void Add(List<RuleFinding> found, RuleFinding? finding)
    {
        if (finding is not null) found.Add(finding);
    }

    private static RuleFinding? Unavailable(DiagnosisSample s, DiagnosisOptions o)
    {
        var server = s.Server;
        var serverDown = server is { Reachable: false, ErrorKind: ConnectionErrorKind.ServerUnavailable };
        // The app's "server unavailable" errors (57P01, 08xxx, reset) name the server down only when nothing else reads it:
        // while the diagnoser's own connection gets answers, the server is up and those errors are sessions it ended
        // (pg_terminate_backend, a slot grab), which the other rules judge.
        var appErrors = server is null or { Reachable: false } ? s.Pool?.Errors.ServerUnavailable ?? 0 : 0;
        if (!serverDown && appErrors == 0) return null;
        // Calls that time out in a pooler's queue, or a reader whose way to the server is that queue, are not a server down.
        if (PoolerQueues(s, o) && PoolerServerUp(s)) return null;
        var evidence = new List<string>();
        if (serverDown) evidence.Add("server: cannot be reached: " + (server!.Error ?? "no answer"));
        if (appErrors > 0) evidence.Add(F($"app: {appErrors} database call(s) failed in the last second because the server is unavailable (refused, shutting down or starting up)"));
        if (s.Pool is { } p) evidence.Add(F($"pool: {p.InUse}/{p.Max} in use, {p.Waiters} waiting"));
        return new RuleFinding(DiagnosisCause.DatabaseUnavailable,
            "The database is down or unreachable: connections are refused or dropped.",
            evidence,
            "Bring the database back: check the server process and its log (crash, disk full, failover, maintenance restart). The application reconnects on its own once the server answers.",
            "Do not restart the application or grow the pool: every new connection fails the same way while the server is down.",
            serverDown ? 1 : 0.8);
    }

    private static RuleFinding? ConnectionLimit(DiagnosisSample s, DiagnosisOptions o)
    {
        var server = s.Server;
        var refused = s.Pool?.Errors.TooManyConnections ?? 0;
        var sourceRefused = server is { Reachable: false, ErrorKind: ConnectionErrorKind.TooManyConnections };
        var full = server is { Reachable: true, MaxConnections: > 0 } && server.UsableConnections - server.Backends <= o.ConnectionLimitFreeSlots;
        // A fleet: this instance's slots are part of the cause when a sibling is refused, even if it is not (issue 22).
        var siblingsRefused = Fleet.FleetEvidence.SiblingsRefused(s);
        // A governed fleet: requests queue on the governor's share instead of being refused; the slots are still the limit.
        var governed = Fleet.FleetEvidence.GovernorQueue(s) && !AbsorbedBurst(s.Pool!, o);
        if (refused == 0 && !sourceRefused && !full && !siblingsRefused && !governed) return null;
        var evidence = new List<string>();
        if (refused > 0) evidence.Add(F($"app: {refused} connection open(s) refused in the last second: too many connections (SQLSTATE 53300)"));
        if (s.Pool is { Errors.ServerUnavailable: > 0 } ended && server is { Reachable: true })
            evidence.Add(F($"app: {ended.Errors.ServerUnavailable} of its sessions ended by the server in the last second (57P01 / connection closed) while the server answers: they cannot get a slot back"));
        if (sourceRefused) evidence.Add("server: refuses new connections: " + server!.Error);
        if (server is { Reachable: true, MaxConnections: > 0 })
        {
            evidence.Add(F($"server: {server.Backends} of {server.UsableConnections} usable connection slots taken (max_connections {server.MaxConnections}, {server.ReservedConnections} reserved)"));
            if (server.SlotHolders.Count > 0)
                evidence.Add("slots held by: " + string.Join("; ", server.SlotHolders.Take(5).Select(h => F($"{Name(h.Application)} (role {h.User}) {h.Connections}"))));
            if (ByService(server.SlotHolders) is { } services) evidence.Add(services);
        }
        if (s.Pool is { } p) evidence.Add(F($"pool: {p.InUse}/{p.Max} in use, {p.Waiters} waiting"));
        evidence.AddRange(Fleet.FleetEvidence.Lines(s));
        var fleet = Fleet.FleetEvidence.Oversubscribed(s);
        var queuedOnly = governed && refused == 0 && !sourceRefused && !siblingsRefused && !full;
        if (queuedOnly)
        {
            AddOperations(evidence, s.Pool);
            return new RuleFinding(DiagnosisCause.ConnectionLimit,
                "The fleet's connection slots are the limit: the governor holds this instance to its share of the server's slots, so requests wait here for a connection instead of being refused.",
                evidence,
                Fleet.FleetEvidence.GovernorRemedy,
                "Do not grow the pool or add application instances: the governor caps each instance to its share of the same slots.",
                0.8);
        }

        return new RuleFinding(DiagnosisCause.ConnectionLimit,
            siblingsRefused && refused == 0 && !sourceRefused
                ? "The fleet's connection slots are used up: sibling instances are refused connections while this one holds slots."
                : fleet ? "The server's connection slots are used up by the fleet: its instances' pools together ask for more than the server has (too many clients)."
                : "The server's connection slots are used up: new connections are refused (too many clients).",
            evidence,
            fleet ? Fleet.FleetEvidence.Remedy(s)
                : "Free slots: stop or cap the clients that hold them (see who holds them above), put a pooler such as PgBouncer in front, or raise max_connections if the server has the memory.",
            "Do not grow the pool or add application instances: every extra connection is refused too.",
            refused > 0 || sourceRefused ? 1 : siblingsRefused ? 0.9 : 0.85);
    }

    private static RuleFinding? Lock(DiagnosisSample s, DiagnosisOptions o)
    {
        if (s.Server is not { Reachable: true, LockWaiters: > 0, RootBlocker: { } root } server) return null;
        // An application with lock_timeout gives up before a wait gets long: its lock timeouts count as long waits.
        var gaveUp = (s.Pool?.Errors.LockTimeouts ?? 0) + (s.Pool?.Errors.Deadlocks ?? 0);
        if (server.LongestLockWaitSeconds * 1000 < o.LockWaitMinMs && gaveUp == 0) return null;
        // Diagnosing an application whose sessions are known: someone else's lock queue is not its cause.
        if (s.Pool is not null && !string.IsNullOrEmpty(server.ApplicationName) && server.AppLockWaiters == 0) return null;
        var evidence = new List<string>
        {
            F($"server: {server.LockWaiters} session(s) waiting on a lock, the longest for {server.LongestLockWaitSeconds:0.0} s"),
            F($"root blocker: pid {root.Pid}, {root.State}, transaction open {root.TransactionAgeSeconds:0.0} s, application {Name(root.Application)}, role {root.User}: {root.Query}"),
            F($"root blocker: pid {root.Pid} blocks {root.Blocked} session(s), directly or through the sessions queued behind it"),
        };
        if (!string.IsNullOrEmpty(server.ApplicationName)) evidence.Add(F($"app: {server.AppLockWaiters} of the application's sessions ('{server.ApplicationName}') wait on the lock"));
        if (gaveUp > 0) evidence.Add(F($"app: {s.Pool!.Errors.LockTimeouts} lock timeout(s) (55P03) and {s.Pool.Errors.Deadlocks} deadlock(s) (40P01) in the last second"));
        if (s.Pool is { } p && p.Max > 0) evidence.Add(F($"pool: {p.InUse}/{p.Max} in use, {p.Waiters} waiting: the app's connections are stuck behind the lock"));
        return new RuleFinding(DiagnosisCause.LockContention,
            F($"Sessions queue on a lock held by pid {root.Pid} ({root.State}, application {Name(root.Application)})."),
            evidence,
            F($"End the root blocker's transaction (SELECT pg_terminate_backend({root.Pid})), then fix why it stayed open (a missing commit or rollback, a long report). Run DDL with a short lock_timeout; set idle_in_transaction_session_timeout."),
            "Do not grow the pool or restart the application: every new connection waits on the same lock. Do not kill the queued sessions (the ALTER or the SELECTs): the root blocker keeps the lock.",
            1);
    }

    private static RuleFinding? Leak(DiagnosisSample s, DiagnosisOptions o)
    {
        var leaks = s.Pool?.ActiveLeaks ?? 0;
        var idle = s.Server is { Reachable: true, AppIdleInTransaction: > 0 } server && server.AppLongestIdleInTransactionSeconds >= o.IdleInTransactionLeakSeconds;
        if (leaks == 0 && !idle) return null;
        var evidence = new List<string>();
        if (leaks > 0) evidence.Add(F($"pool: {leaks} lease(s) held past the leak threshold (the borrower's stack is in the live page's recent leaks)"));
        if (idle) evidence.Add(F($"server: {s.Server!.AppIdleInTransaction} of the application's sessions idle in transaction, the longest for {s.Server.AppLongestIdleInTransactionSeconds:0} s"));
        if (s.Pool is { } p) evidence.Add(F($"pool: {p.InUse}/{p.Max} in use, {p.Waiters} waiting"));
        return new RuleFinding(DiagnosisCause.ConnectionLeak,
            "Connections are borrowed and not returned (a leak), starving the pool.",
            evidence,
            "Find the borrower in the leak report's stack and dispose the connection (await using) or commit/roll back its transaction; set idle_in_transaction_session_timeout as a backstop.",
            "Do not grow the pool: leaked connections never come back, a bigger pool only takes longer to drain.",
            leaks > 0 ? 1 : 0.9);
    }

    private static RuleFinding? SlowQueries(DiagnosisSample s, DiagnosisBaseline b, DiagnosisOptions o)
    {
        var slowed = Slowed(s.Server, o);
        var holdGrew = HoldGrew(s.Pool, b, o);
        // Longer holds alone, on a host that wakes late for every reply, are the host's, not the queries'; while the
        // pooler queues, a hold includes the wait for its server connection.
        if (slowed.Count == 0 && (!holdGrew || HostStarved(s.Server, b, o) || PoolerQueues(s, o) || HeldBetweenStatements(s, o))) return null;
        // Diagnosing an application: a slower statement that is a small share of the server's time, while the app's
        // holds stay near normal and nothing queues, is someone else's (seen: a monitoring query on pg_stat_activity 27x
        // slower on a busy host, 8% of execution, read as slow_queries for a fleet serving fine).
        if (slowed.Count > 0 && slowed.Sum(x => x.ShareOfExecution) < o.StatementRootShare && !holdGrew
            && s.Pool is { Returned: > 0, Waiters: 0, Timeouts: 0 } pool && b.HoldP99Ms is { } hold && pool.HoldP99Ms < o.CpuHoldGrowthFactor * hold) return null;
        var evidence = new List<string>();
        foreach (var x in slowed.Take(5))
            evidence.Add(F($"statement {x.QueryId}: mean {x.RecentMeanMs:0.0} ms vs {x.BaselineMeanMs:0.00} ms before (x{x.Growth:0}), {x.CallsPerSecond:0.#} calls/s, {x.ShareOfExecution:P0} of server time: {x.Query}"));
        if (s.Pool is { Errors.StatementTimeouts: > 0 } timedOut)
            evidence.Add(F($"app: {timedOut.Errors.StatementTimeouts} statement(s) hit statement_timeout (57014) in the last second"));
        if (s.Pool is { Returned: > 0 } p && b.HoldP99Ms is { } normal)
            evidence.Add(F($"pool: connection hold p99 {p.HoldP99Ms:0.0} ms vs {normal:0.0} ms normally (x{p.HoldP99Ms / Math.Max(0.001, normal):0.0}); {p.InUse}/{p.Max} in use, {p.Waiters} waiting"));
        AddOperations(evidence, s.Pool);
        var summary = slowed.Count > 0
            ? F($"Queries got slower: {slowed.Count} statement(s) take {slowed[0].Growth:0}x their usual time; connections are held longer.")
            : "Queries got slower: connections are held several times longer than normal.";
        return new RuleFinding(DiagnosisCause.SlowQueries, summary, evidence,
            "EXPLAIN the slowed statement(s): the slowest statements with their plan findings and proven index advice are on /lifeguard (management address) and in `lifeguard review`; usually a missing or dropped index, a changed plan or stale statistics (ANALYZE). Restore the index or fix the query.",
            "Do not grow the pool: more concurrent slow queries load the database further and the wait moves there.",
            slowed.Count > 0 ? 1 : 0.7);
    }

    // The sampling (application) host is CPU-starved: the trivial round trip grew and the host's own 1 ms timer lag
    // explains half of that or more. Every reply then waits for a wake-up, so time measured on the app's side (round
    // trips, holds) grows without the wire or the server being slower (seen: a healthy site at load average 20 on
    // 2 cores read as network_latency).
    private static bool HostStarved(ServerSignals? server, DiagnosisBaseline b, DiagnosisOptions o) =>
        server is { Reachable: true, HostLagMs: { } lag } && b.RoundTripMs is { } normal
        && server.RoundTripMs - normal >= o.RoundTripMinIncreaseMs && lag >= o.HostLagShareOfRoundTrip * (server.RoundTripMs - normal);

    // Longer holds while the server sees most of the leased connections run no statement: the time goes between
    // statements, in the application (its host short of CPU, work or a remote call while holding a connection), not in
    // the queries (seen: a site next to processes spinning its host's cores read as slow_queries, no statement slower).
    private static bool HeldBetweenStatements(DiagnosisSample s, DiagnosisOptions o) =>
        s is { Pool: { InUse: > 0 } p, Server: { Reachable: true, ApplicationName.Length: > 0 } server }
        && server.AppActive < p.InUse * o.HeldIdleShare;

    private static bool HoldGrew(PoolSecond? p, DiagnosisBaseline b, DiagnosisOptions o) =>
        p is { Returned: > 0 } && b.HoldP99Ms is { } normal
        && p.HoldP99Ms >= o.HoldGrowthFactor * normal && p.HoldP99Ms - normal >= o.HoldGrowthMinMs;

    private static bool CpuSaturated(ServerSignals? server, DiagnosisOptions o) =>
        server is { Reachable: true, Cores: > 0 } && server.ActiveOnCpu >= server.Cores * o.CpuSaturation
        && (server.CpuCoresUsed is not { } used || used >= server.Cores * o.CpuUsedSaturation || server.HostCpuBusy >= o.HostCpuSaturation);

    private static RuleFinding? Cpu(DiagnosisSample s, DiagnosisBaseline b, DiagnosisOptions o)
    {
        var server = s.Server;
        if (!CpuSaturated(server, o)) return null;
        // Diagnosing an application: a server just busy (no more runnable sessions than twice its cores) that does not
        // lengthen the app's connection holds and queues none of its requests is not what hurts it (the accuracy corpus's
        // red herring: two report sessions on two cores, pages as fast as before, read as database_cpu). Twice the cores
        // and more is CPU-bound whatever the app feels yet.
        if (s.Pool is { Returned: > 0, Waiters: 0, Timeouts: 0 } pool && b.HoldP99Ms is { } hold && pool.HoldP99Ms < o.CpuHoldGrowthFactor * hold
            && server!.ActiveOnCpu < 2 * server.Cores * o.CpuSaturation) return null;
        var evidence = new List<string>
        {
            F($"server: {server!.ActiveOnCpu} session(s) on CPU against {server.Cores:0.#} core(s) ({server.ActiveOnCpu / server.Cores:0.0}x), {server.Active} active"),
        };
        if (server.OnCpuBy.Count > 0)
            evidence.Add("on CPU: " + string.Join("; ", server.OnCpuBy.Take(5).Select(h => F($"{Name(h.Application)} (role {h.User}) {h.Connections}"))));
        if (server.CpuCoresUsed is { } used) evidence.Add(F($"server: its processes use {used:0.00} of {server.Cores:0.#} core(s)"));
        if (server.HostCpuBusy is { } busy) evidence.Add(F($"host: CPUs {busy * 100:0}% busy"));
        if (server.WaitEvents.Count > 0) evidence.Add("active sessions by wait: " + string.Join(", ", server.WaitEvents.Take(5).Select(w => F($"{w.Type}/{w.Name} {w.Sessions}"))));
        if (s.Pool is { } p) evidence.Add(F($"pool: {p.InUse}/{p.Max} in use, {p.Waiters} waiting, hold p99 {p.HoldP99Ms:0.0} ms"));
        return new RuleFinding(DiagnosisCause.DatabaseCpu,
            F($"The database is CPU-bound: {server.ActiveOnCpu} sessions compete for {server.Cores:0.#} core(s)."),
            evidence,
            "Cut the CPU demand: find the statements with the most total time (pg_stat_statements) and tune them, stop the batch job burning CPU, or give the database more cores. Keep the pool near cores x 2 so work queues in the app, not on the CPU.",
            "Do not grow the pool: more concurrent queries on saturated cores make every query slower.",
            server.CpuCoresUsed is null ? 0.8 : 1);
    }

    private static RuleFinding? Network(DiagnosisSample s, DiagnosisBaseline b, DiagnosisOptions o)
    {
        if (s.Server is not { Reachable: true } server || b.RoundTripMs is not { } normal) return null;
        if (server.RoundTripMs < o.RoundTripGrowthFactor * normal || server.RoundTripMs - normal < o.RoundTripMinIncreaseMs) return null;
        if (CpuSaturated(server, o) || Slowed(server, o).Count > 0) return null;
        if (HostStarved(server, b, o)) return null;
        // Diagnosing an application: a slower wire that does not lengthen its connection holds is not what hurts it.
        if (s.Pool is { Returned: > 0 } pool && b.HoldP99Ms is { } hold && pool.HoldP99Ms < 1.5 * hold) return null;
        var evidence = new List<string>
        {
            F($"round trip of a trivial query: {server.RoundTripMs:0.0} ms vs {normal:0.0} ms normally (x{server.RoundTripMs / Math.Max(0.001, normal):0.0})"),
            F($"server: {server.ActiveOnCpu} session(s) on CPU of {server.Cores:0.#} core(s), no statement slower: execution did not grow"),
        };
        if (server.HostLagMs is { } hostLag) evidence.Add(F($"this host: a 1 ms timer ran {hostLag:0.0} ms late, so the host's scheduling does not explain it"));
        if (server.HostCpuPressure is { } pressure) evidence.Add(F($"this host: some task waited for a CPU {pressure * 100:0}% of the time"));
        if (s.Pool is { } p) evidence.Add(F($"pool: hold p99 {p.HoldP99Ms:0.0} ms, {p.InUse}/{p.Max} in use, {p.Waiters} waiting"));
        return new RuleFinding(DiagnosisCause.NetworkLatency,
            F($"The network to the database got slower: a round trip takes {server.RoundTripMs:0} ms instead of {normal:0.0} ms."),
            evidence,
            "Look at the path between application and database: latency, packet loss, a proxy, a cross-zone or cross-region move. Keep the application next to the database; batch round trips.",
            "Do not tune queries or grow the pool: the server executes as fast as before, the time is spent on the wire.",
            0.9);
    }

    // The pooler's queue: clients wait for one of the pair's server connections, the oldest long enough, or with every
    // server connection in use while the application queues too (short queries wait only milliseconds each, but requests
    // pile up in front); or the pooler is at max_client_conn and refuses new clients. A client waiting a few ms now and
    // then, with the application not queueing, is a pool working as designed.
    private static bool PoolerQueues(DiagnosisSample s, DiagnosisOptions o) => s.Pooler is { Reachable: true } q
        && (q.ClientsWaiting > 0 && (q.MaxWaitSeconds * 1000 >= o.PoolerWaitMinMs
                || q.ServersActive >= Math.Max(1, Math.Min(q.PoolSize, q.PoolLimit)) && s.Pool is null or { Waiters: > 0 } or { Timeouts: > 0 })
            || PoolerClientsFull(q));

    private static bool PoolerClientsFull(PoolerSignals q) => q.MaxClientConnections > 0 && q.ClientConnections >= q.MaxClientConnections;

    // Whether the server behind the pooler answers: read directly, or (with no direct reading) the pooler's own server
    // connections are up. A pooler queueing in front of a server that is down is that server's outage.
    private static bool PoolerServerUp(DiagnosisSample s) => s.Server is { Reachable: true, ReadThroughPooler: false }
        || s.Server is null or { ReadThroughPooler: true } && s.Pooler is { } q && q.ServersActive + q.ServersIdle + q.ServersUsed > 0;

    private static RuleFinding? PoolerSaturated(DiagnosisSample s, DiagnosisOptions o)
    {
        if (!PoolerQueues(s, o) || !PoolerServerUp(s)) return null;
        var q = s.Pooler!;
        var server = s.Server is { Reachable: true, ReadThroughPooler: false, MaxConnections: > 0 } direct ? direct : null;
        var pair = F($"{q.Database}/{q.User}");
        var evidence = new List<string>();
        if (q.ClientsWaiting > 0)
            evidence.Add(F($"pooler: {q.ClientsWaiting} client(s) of {pair} waiting inside {q.Kind} for a server connection (cl_waiting), the oldest for {q.MaxWaitSeconds:0.000} s (maxwait)"));
        evidence.Add(F($"pooler: {q.ServersActive} of {q.PoolSize} server connection(s) of the pool active (sv_active; pool size {q.PoolSize}, reserve {q.ReservePoolSize}), {q.ServersIdle} idle, {q.ClientsActive} client(s) served, {q.PoolMode ?? "?"} mode"));
        var dbCapped = q.MaxDbConnections is { } cap && q.DatabaseServerConnections >= cap;
        if (dbCapped) evidence.Add(F($"pooler: the database has {q.DatabaseServerConnections} server connection(s), at max_db_connections {q.MaxDbConnections}: no pair of it may open more"));
        var clientsFull = PoolerClientsFull(q);
        if (clientsFull) evidence.Add(F($"pooler: {q.ClientConnections} client connection(s) of max_client_conn {q.MaxClientConnections}: new clients are refused"));
        var holders = q.Holders.Where(h => h.ActiveSeconds >= o.PoolerHolderSeconds).ToList();
        foreach (var h in holders.Take(3))
            evidence.Add(F($"holder: server pid {h.ServerPid}, application {Name(h.Application)}, client {h.ClientAddress}, running {h.ActiveSeconds:0} s{(h.Query is null ? "" : ": " + h.Query)}"));
        var free = server is null ? (int?)null : server.UsableConnections - server.Backends;
        if (server is not null)
            evidence.Add(F($"server: {server.Backends} of {server.UsableConnections} usable connection slots taken, {free} free, {server.ActiveOnCpu} session(s) on CPU of {server.Cores:0.#} core(s): the database has headroom"));
        else if (s.Server is { ReadThroughPooler: true })
            evidence.Add("server: read through the pooler, so its own slots are not visible: set Lifeguard:Diagnosis:Postgres:ConnectionString to the server's address");
        if (s.Pool is { } p)
            evidence.Add(F($"app: pool {p.InUse}/{p.Max} in use, {p.Waiters} waiting: its connections are clients of the pooler and queue there"));

        // Raise the pair's pool to serve the waiting clients at once, within the slots the server has free.
        var room = free is { } f ? Math.Max(0, f - o.ConnectionLimitFreeSlots) : (int?)null;
        var wanted = q.ServersActive + q.ClientsWaiting;
        var target = room is { } r ? Math.Min(wanted, q.PoolSize + r) : wanted;
        var held = holders.Count > 0 && holders.Count * 2 >= Math.Max(1, q.ServersActive);
        string summary, remedy;
        if (clientsFull && q.ClientsWaiting == 0)
        {
            summary = F($"The pooler refuses new clients: {q.ClientConnections} connections reached its max_client_conn {q.MaxClientConnections}.");
            remedy = F($"Raise the pooler's max_client_conn above the clients' total (every application instance's Maximum Pool Size added up), or lower the application pools or instances so they fit within {q.MaxClientConnections}.");
        }
        else if (held)
        {
            var h = holders[0];
            summary = F($"The pooler's server connections for {pair} are held by a long transaction: server pid {h.ServerPid} (application {Name(h.Application)}) runs for {h.ActiveSeconds:0} s, and {q.ClientsWaiting} client(s) queue in {q.Kind} behind it.");
            remedy = F($"End or move the holder: server pid {h.ServerPid}, application {Name(h.Application)} from {h.ClientAddress} (SELECT pg_terminate_backend({h.ServerPid}) on the server, or cancel the job), then give long jobs a pool of their own or a direct connection");
            remedy += room is { } rr && rr > 0 ? F($"; meanwhile the pooler's pool for {pair} may grow from {q.PoolSize} to {Math.Max(q.PoolSize + 1, Math.Min(q.PoolSize + rr, target + holders.Count))} within the server's free slots.") : ".";
        }
        else
        {
            summary = F($"Requests queue in the pooler ({q.Kind}): its pool for {pair} ({q.PoolSize} server connections) is too small while the database has headroom.");
            remedy = room is 0
                ? F($"The server has no free slots to give the pooler: free slots first (see who holds them), then raise the pooler's pool for {pair} above {q.PoolSize}.")
                : F($"Raise the pooler's pool for {pair} from {q.PoolSize} to {Math.Max(q.PoolSize + 1, target)} (pool_size of the database in pgbouncer.ini, or default_pool_size; live: SET default_pool_size = {Math.Max(q.PoolSize + 1, target)}; RECONNECT on the admin console){(room is { } r2 ? F($", within the server's {r2} free usable slot(s)") : "")}; `lifeguard size --pooler` sizes both queues from the measured load.");
        }
        if (dbCapped) remedy += F($" The database's max_db_connections {q.MaxDbConnections} caps every pair: raise it with the pool.");
        return new RuleFinding(DiagnosisCause.PoolerSaturated, summary, evidence, remedy,
            "Do not grow the application's pool: its connections are the pooler's clients, and more of them only lengthen the pooler's queue. Do not restart the database: it has headroom.",
            server is null ? 0.8 : 1);
    }

    private static RuleFinding? PoolTooSmall(DiagnosisSample s, DiagnosisBaseline b, DiagnosisOptions o)
    {
        if (s.Pool is not { Max: > 0 } p || p.InUse < p.Max || (p.Waiters == 0 && p.Timeouts == 0 && p.Rejections == 0)) return null;
        // Pinned for a moment by a burst it drains at once: the pool keeps up (growing it adds work to a busy host).
        if (AbsorbedBurst(p, o)) return null;
        if (HoldGrew(p, b, o)) return null;
        // Pinned at the fleet governor's cap, not at the pool's own maximum: the fleet's share of the slots (connection_limit).
        if (Fleet.FleetEvidence.CappedBelowPool(s)) return null;
        // The application's queue is not the first one when requests that got a connection queue again in the pooler.
        if (PoolerQueues(s, o) || s.Pooler is { Reachable: true, ClientsWaiting: > 0 }) return null;
        var server = s.Server;
        if (server is not null)
        {
            if (!server.Reachable || CpuSaturated(server, o) || server.LockWaiters > 0 && server.LongestLockWaitSeconds * 1000 >= o.LockWaitMinMs) return null;
            if (server.MaxConnections > 0 && !server.ReadThroughPooler && server.UsableConnections - server.Backends <= o.ConnectionLimitFreeSlots) return null;
        }
        var evidence = new List<string>
        {
            F($"pool: {p.InUse} of {p.Max} connections in use (pinned at the maximum), {p.Waiters} request(s) waiting, {p.Timeouts} timeout(s) in the last second, wait p99 {p.WaitP99Ms:0} ms"),
            b.HoldP99Ms is { } normal
                ? F($"queries: connection hold p99 {p.HoldP99Ms:0.0} ms vs {normal:0.0} ms normally (x{p.HoldP99Ms / Math.Max(0.001, normal):0.0}): queries are not slower")
                : F($"queries: connection hold p99 {p.HoldP99Ms:0.0} ms (no baseline yet)"),
        };
        if (server is { ReadThroughPooler: true })
            evidence.Add(F($"server: read through a pooler: {server.ActiveOnCpu} session(s) on CPU of {server.Cores:0.#} core(s), {server.LockWaiters} lock wait(s) among the pooler's server connections (the server's own slots are not visible; set Lifeguard:Diagnosis:Postgres:ConnectionString)"));
        else if (server is not null)
            evidence.Add(F($"server: {server.ActiveOnCpu} session(s) on CPU of {server.Cores:0.#} core(s), {server.LockWaiters} lock wait(s), {server.UsableConnections - server.Backends} free connection slot(s): the database has headroom"));
        // The server's view of the leased connections: a connection the app holds while no statement runs on it (work
        // between statements, a slow call made while holding it, an app host short of CPU) is capacity no pool size adds.
        var heldIdle = server is { ApplicationName.Length: > 0 } && server.AppActive < p.InUse * o.HeldIdleShare;
        if (heldIdle)
            evidence.Add(F($"server: {server!.AppActive} of the {p.InUse} leased connection(s) ran a statement at the sample ('{server.ApplicationName}' sessions active): the rest were held by the application between statements"));
        AddOperations(evidence, p);
        var remedy = F($"Raise Maximum Pool Size above {p.Max} to the size `lifeguard size` computes from the measured load (within the server's connection budget), or shed load with admission control.");
        if (heldIdle)
            remedy += " First shorten how long a request holds its connection while no statement runs (open it late, dispose it early, no remote call or heavy work while holding it; check the app host's CPU): that frees connections without growing the pool.";
        return new RuleFinding(DiagnosisCause.PoolTooSmall,
            F($"The connection pool (maximum {p.Max}) is too small for the load: requests queue for a connection while the database has headroom."),
            evidence,
            remedy,
            "Do not chase slow queries or the database: queries are as fast as usual and the server is not busy; requests wait in the application for a connection.",
            (server is null ? 0.7 : 1) * (b.HoldP99Ms is null ? 0.8 : 1) * (heldIdle ? 0.8 : 1));
    }

    // Hold time per operation: which routes take the connections (the one to look at first, or the traffic that outgrew the pool).
    private static void AddOperations(List<string> evidence, PoolSecond? pool)
    {
        if (pool is not { Operations.Count: > 0 } p) return;
        evidence.Add("connection-time by operation in the last second: " + string.Join("; ", p.Operations.Take(3).Select(o =>
            F($"{o.Operation} {o.ShareOfHold * 100:0}% ({o.Returned} lease(s), hold p99 {o.HoldP99Ms:0.0} ms)"))));
    }

    // Instances name their sessions service/instance: the slots a service's instances hold together, when any do.
    private static string? ByService(IReadOnlyList<SlotHolder> holders)
    {
        var groups = holders.Where(h => h.Application.Contains('/', StringComparison.Ordinal))
            .GroupBy(h => h.Application[..h.Application.IndexOf('/', StringComparison.Ordinal)], StringComparer.Ordinal)
            .Select(g => (Service: g.Key, Slots: g.Sum(h => h.Connections), Instances: g.Select(h => h.Application).Distinct(StringComparer.Ordinal).Count()))
            .OrderByDescending(g => g.Slots).Take(3).ToList();
        return groups.Count == 0 ? null
            : "slots held by service: " + string.Join("; ", groups.Select(g => F($"{Name(g.Service)} {g.Slots} ({g.Instances} instance(s))")));
    }

    // application_name is chosen by the client: quoted, on one line and short wherever it is shown
    private static string Name(string application) => application.Length == 0 ? "(none)"
        : "'" + new string(application.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray()) + (application.Length > 64 ? "…'" : "'");

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
