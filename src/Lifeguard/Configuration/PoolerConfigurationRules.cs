using System.Globalization;

namespace Lifeguard.Configuration;

/// <summary>The pooler rules (LG013–LG019): Npgsql behind PgBouncer. Pure logic, called by <see cref="PoolConfigurationRules"/>.</summary>
internal static class PoolerConfigurationRules
{
    private const int PgBouncerPort = 6432;

    /// <summary>True when <paramref name="pool"/> connects through <paramref name="pooler"/> (its port, when the pooler's is known).</summary>
    public static bool IsBehind(PoolConfiguration pool, PoolerSettings? pooler)
    {
        if (pooler is null || pool.ProviderError is not null) return false;
        if (pooler.ListenPort is not { } port || pool.Server is null || !pool.Server.Contains(':', StringComparison.Ordinal)) return true;
        return pool.Server.EndsWith(":" + port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    public static void Evaluate(List<PoolConfiguration> pools, PoolCheckOptions options, List<PoolFinding> findings)
    {
        var pooler = options.Pooler;
        if (pooler is null)
        {
            foreach (var pool in pools.Where(p => p.ProviderError is null && p.Server is { } s && s.EndsWith(":" + PgBouncerPort, StringComparison.Ordinal)))
            {
                Add(findings, PoolRules.PoolerPortHint, pool.Name, F($"{pool.Server} uses port {PgBouncerPort}, PgBouncer's default, but no pooler was declared: the pooler rules (mode, prepared statements, max_client_conn, the server's slots) did not run."),
                    "Declare it: `lifeguard check ... --pooler-config /etc/pgbouncer/pgbouncer.ini` (or --pooler pgbouncer --pooler-mode transaction ...); ignore this if 6432 is a plain PostgreSQL.");
            }
            return;
        }

        var behind = pools.Where(p => IsBehind(p, pooler) && p.Pooling).ToList();
        var pooled = pooler.Mode != PoolerMode.Session;
        var mode = pooler.Mode.ToString().ToLowerInvariant();
        var prepares = options.SessionStateUses?.Where(u => u.Kind == SessionStateKind.ExplicitPrepare).ToList() ?? [];
        foreach (var pool in pools.Where(p => IsBehind(p, pooler)))
        {
            if (pooled && !pool.NoResetOnClose)
            {
                Add(findings, PoolRules.PoolerResetOnClose, pool.Name,
                    F($"pool_mode = {mode}: Npgsql resets session state each time a connection returns to its pool; behind the pooler that reset runs on whichever server connection the next transaction gets, a round trip per lease that resets nothing of this client's."),
                    "Add No Reset On Close=true to the connection string.");
            }
            if (pooled) PreparedStatements(pool, pooler, mode, prepares, findings);
        }
        if (pooled) SessionState(options.SessionStateUses, mode, findings);

        if (behind.Count > 0)
        {
            var perInstance = behind.Sum(p => (long)p.MaximumPoolSize);
            var fleet = perInstance * options.Instances;
            if (fleet > pooler.MaxClientConnections)
            {
                var share = pooler.MaxClientConnections / options.Instances / behind.Count;
                Add(findings, PoolRules.PoolerClientLimit, "fleet",
                    F($"{options.Instances} instance(s) × {perInstance} connections = {fleet} clients of the pooler, above max_client_conn {pooler.MaxClientConnections}: the pooler refuses the {fleet - pooler.MaxClientConnections} past it."),
                    share > 0
                        ? F($"Set max_client_conn to at least {fleet} (plus admin and other clients), or Maximum Pool Size to at most {share} per pool.")
                        : F($"Set max_client_conn to at least {fleet} (plus admin and other clients)."));
            }
            var firstPair = pooler.EffectivePairPoolSizes[0];
            if (pooler.Mode == PoolerMode.Session && fleet > firstPair)
            {
                Add(findings, PoolRules.PoolerSessionModeQueue, "fleet",
                    F($"pool_mode = session: each of the {fleet} application connections holds a server connection while open, but the pooler's pool is {firstPair}: {fleet - firstPair} wait inside the pooler while the application believes it has a connection."),
                    F($"Use pool_mode = transaction (and the rules above), or set Maximum Pool Size to at most {Math.Max(1, firstPair / options.Instances / behind.Count)} per pool, or default_pool_size to {fleet} within the server's slots."));
            }
        }

        if (options.ServerMaxConnections is { } max)
        {
            var usable = Math.Max(0, (long)max - options.ReservedConnections - options.OtherClientConnections);
            var total = pooler.MaximumServerConnections;
            if (total > usable)
            {
                var pairs = pooler.EffectivePairPoolSizes.Count;
                var perPair = usable / pairs - pooler.ReservePoolSize;
                var sizes = string.Join(" + ", pooler.EffectivePairPoolSizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));
                Add(findings, PoolRules.PoolerOverServerBudget, "pooler",
                    F($"The pooler may open {total} server connections ({pairs} database/user pair(s): {sizes}{(pooler.ReservePoolSize > 0 ? F($", + {pooler.ReservePoolSize} reserve each") : "")}{(pooler.MaxDbConnections is { } m ? F($", max_db_connections {m}") : "")}), but max_connections {max} − {options.ReservedConnections} reserved − {options.OtherClientConnections} other clients leaves {usable}."),
                    perPair > 0
                        ? F($"Set default_pool_size (and each pool_size) to at most {perPair}{(pooler.ReservePoolSize > 0 ? " with the reserve" : "")}, or max_db_connections = {usable / pairs}, or raise max_connections to {total + options.ReservedConnections + options.OtherClientConnections}.")
                        : F($"Raise max_connections to {total + options.ReservedConnections + options.OtherClientConnections}: not one server connection per pair is left."));
            }
        }
    }

    private static void PreparedStatements(PoolConfiguration pool, PoolerSettings pooler, string mode, List<SessionStateUse> prepares, List<PoolFinding> findings)
    {
        if (pool.MaxAutoPrepare <= 0 && prepares.Count == 0) return;
        var what = pool.MaxAutoPrepare > 0
            ? F($"Max Auto Prepare={pool.MaxAutoPrepare}{(prepares.Count > 0 ? F($" and {prepares.Count} explicit Prepare (first {Where(prepares[0])})") : "")}")
            : F($"{prepares.Count} explicit Prepare (first {Where(prepares[0])})");
        var needed = Math.Max(200, pool.MaxAutoPrepare);
        var turnOff = pool.MaxAutoPrepare > 0 ? "Set Max Auto Prepare=0" : "Remove the explicit Prepare calls";
        var broken = F($"a statement prepared on one server connection is missing on the next (\"prepared statement does not exist\")");
        if (pooler.Version is { } v && v < PoolerSettings.PreparedStatementsSince)
        {
            Add(findings, PoolRules.PoolerPreparedStatements, pool.Name,
                F($"{what} through PgBouncer {v} in {mode} mode, which does not track prepared statements: {broken}."),
                F($"{turnOff}, or upgrade PgBouncer to 1.21 or later with max_prepared_statements = {needed}."));
        }
        else if (pooler.MaxPreparedStatements is 0)
        {
            Add(findings, PoolRules.PoolerPreparedStatements, pool.Name,
                F($"{what} through PgBouncer in {mode} mode with max_prepared_statements = 0: {broken}."),
                F($"Set max_prepared_statements = {needed} in the pooler (PgBouncer 1.21+), or {turnOff[0..1].ToLowerInvariant()}{turnOff[1..]}."));
        }
        else if (pooler.MaxPreparedStatements is null)
        {
            // Unknown is not proof of breakage, so a warning: the version or setting would settle it.
            findings.Add(new PoolFinding(PoolRules.PoolerPreparedStatements.Id, FindingSeverity.Warning, pool.Name,
                F($"{what} through PgBouncer in {mode} mode, but {(pooler.Version is null ? "neither its version nor " : "not ")}max_prepared_statements is known (it defaults to 0 in 1.21): if it is 0, {broken}."),
                F($"Set max_prepared_statements = {needed} explicitly (PgBouncer 1.21+) and declare it (--pooler-config or --pooler-max-prepared-statements), or {turnOff[0..1].ToLowerInvariant()}{turnOff[1..]}.")));
        }
        else if (pooler.MaxPreparedStatements < pool.MaxAutoPrepare)
        {
            findings.Add(new PoolFinding(PoolRules.PoolerPreparedStatements.Id, FindingSeverity.Warning, pool.Name,
                F($"Max Auto Prepare={pool.MaxAutoPrepare} is above the pooler's max_prepared_statements = {pooler.MaxPreparedStatements}: the pooler evicts and re-prepares statements constantly."),
                F($"Set max_prepared_statements = {needed}, or Max Auto Prepare={pooler.MaxPreparedStatements}.")));
        }
    }

    private static void SessionState(IReadOnlyList<SessionStateUse>? uses, string mode, List<PoolFinding> findings)
    {
        if (uses is null) return;
        foreach (var group in uses.Where(u => u.Kind != SessionStateKind.ExplicitPrepare).GroupBy(u => u.Kind).OrderBy(g => g.Key))
        {
            var first = group.First();
            var (why, fix) = group.Key switch
            {
                SessionStateKind.SessionSet => ("the setting stays on the server connection and leaks to whichever client gets it next, while this client's next transaction runs without it",
                    "Use SET LOCAL inside a transaction, or put the setting in the connection string (Options=-c name=value) or on the role (ALTER ROLE ... SET)."),
                SessionStateKind.AdvisoryLock => ("the lock stays on a server connection the client may never get back, so it is never released by this client",
                    "Use pg_advisory_xact_lock (released at commit) inside a transaction, or take the lock on a connection that bypasses the pooler."),
                SessionStateKind.Listen => ("notifications arrive on a server connection the client no longer holds after its transaction",
                    "LISTEN on a dedicated connection straight to PostgreSQL (not through the pooler)."),
                _ => ("the temp table lives on one server connection: the next transaction may not see it, or see another client's",
                    "Create it with ON COMMIT DROP inside the transaction that uses it, or use a regular table."),
            };
            Add(findings, PoolRules.PoolerSessionState, Where(first),
                F($"{group.Count()} use(s) of {Describe(group.Key)} (first: `{first.Text}` at {Where(first)}) behind pool_mode = {mode}: {why}."),
                fix);
        }
    }

    private static string Describe(SessionStateKind kind) => kind switch
    {
        SessionStateKind.SessionSet => "session SET",
        SessionStateKind.AdvisoryLock => "session advisory locks",
        SessionStateKind.Listen => "LISTEN",
        SessionStateKind.TemporaryTable => "temp tables",
        _ => "explicit Prepare",
    };

    private static string Where(SessionStateUse use) => F($"{use.File}:{use.Line}");

    private static void Add(List<PoolFinding> findings, PoolRule rule, string subject, string message, string fix) =>
        findings.Add(new PoolFinding(rule.Id, rule.Severity, subject, message, fix));

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
