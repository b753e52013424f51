using Lifeguard.Configuration;
using Lifeguard.Postgres;

namespace Lifeguard.Testing;

/// <summary>
/// Assertions for pool configuration in a test suite, with the same rules as `lifeguard check`
/// (e.g. <c>PoolConfigurationAssert.IsValid(config.GetConnectionString("Main")!, new() { Instances = 4, ServerMaxConnections = 100 })</c>);
/// behind PgBouncer, <see cref="IsValidBehindPgBouncer"/> or a <see cref="PoolCheckOptions.Pooler"/> in the options.
/// </summary>
public static class PoolConfigurationAssert
{
    /// <summary>Throws <see cref="PoolConfigurationAssertException"/> when the PostgreSQL connection string has an error finding (or any finding, with <paramref name="warningsAsErrors"/>).</summary>
    public static void IsValid(string connectionString, PoolCheckOptions? options = null, bool warningsAsErrors = false)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        Fail(Findings([NpgsqlPoolConfigurationReader.Read("connection string", connectionString)], options), warningsAsErrors);
    }

    /// <summary>Checks every connection string in an appsettings.json file, as `lifeguard check` does.</summary>
    public static void AppSettingsAreValid(string appSettingsPath, PoolCheckOptions? options = null, bool warningsAsErrors = false)
    {
        ArgumentNullException.ThrowIfNull(appSettingsPath);
        var found = AppSettingsConnectionStrings.Find(File.ReadAllText(appSettingsPath));
        if (found.Count == 0) throw new PoolConfigurationAssertException($"{appSettingsPath} has no ConnectionStrings section with a connection string.");
        Fail(Findings(found.Select(p => NpgsqlPoolConfigurationReader.Read(p.Key, p.Value)), options), warningsAsErrors);
    }

    /// <summary>Throws unless the rule <paramref name="ruleId"/> (e.g. "LG004") reports the connection string: for testing that a bad setting is caught.</summary>
    public static void HasFinding(string connectionString, string ruleId, PoolCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var findings = Findings([NpgsqlPoolConfigurationReader.Read("connection string", connectionString)], options);
        if (!findings.Any(f => f.RuleId == ruleId))
        {
            throw new PoolConfigurationAssertException($"Expected finding {ruleId}, got: {(findings.Count == 0 ? "none" : string.Join(", ", findings.Select(f => f.RuleId)))}.");
        }
    }

    /// <summary>
    /// Checks a connection string that goes through PgBouncer, with the pooler rules (LG013–LG019) against its pgbouncer.ini
    /// and, when <paramref name="sourceDirectory"/> is given, the session state and explicit Prepare found in its .cs and .sql files.
    /// </summary>
    /// <param name="connectionString">The application's connection string (to the pooler).</param>
    /// <param name="pgBouncerIniPath">The pooler's pgbouncer.ini.</param>
    /// <param name="options">The fleet and the server (instances, max_connections); its Pooler is replaced by the ini's.</param>
    /// <param name="sourceDirectory">The application's source, scanned for SET, advisory locks, LISTEN, temp tables and Prepare.</param>
    /// <param name="pgBouncerVersion">PgBouncer's version (the ini does not say it), e.g. new Version(1, 21).</param>
    /// <param name="warningsAsErrors">Fail on warnings too.</param>
    public static void IsValidBehindPgBouncer(string connectionString, string pgBouncerIniPath, PoolCheckOptions? options = null, string? sourceDirectory = null,
        Version? pgBouncerVersion = null, bool warningsAsErrors = false)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        ArgumentNullException.ThrowIfNull(pgBouncerIniPath);
        var given = options ?? new PoolCheckOptions();
        var withPooler = new PoolCheckOptions
        {
            RequestBudget = given.RequestBudget,
            Instances = given.Instances,
            ServerMaxConnections = given.ServerMaxConnections,
            ReservedConnections = given.ReservedConnections,
            OtherClientConnections = given.OtherClientConnections,
            DatabaseCores = given.DatabaseCores,
            MinimumConnectionLifetime = given.MinimumConnectionLifetime,
            Pooler = PgBouncerIni.Parse(File.ReadAllText(pgBouncerIniPath), pgBouncerIniPath) with { Version = pgBouncerVersion },
            SessionStateUses = sourceDirectory is null ? given.SessionStateUses : SessionStateScanner.ScanDirectory(sourceDirectory),
        };
        Fail(Findings([NpgsqlPoolConfigurationReader.Read("connection string", connectionString)], withPooler), warningsAsErrors);
    }

    private static IReadOnlyList<PoolFinding> Findings(IEnumerable<PoolConfiguration> pools, PoolCheckOptions? options) =>
        PoolConfigurationRules.Evaluate(pools, options ?? new PoolCheckOptions());

    private static void Fail(IReadOnlyList<PoolFinding> findings, bool warningsAsErrors)
    {
        var failing = warningsAsErrors ? findings : findings.Where(f => f.Severity == FindingSeverity.Error).ToList();
        if (failing.Count > 0) throw new PoolConfigurationAssertException(failing);
    }
}
