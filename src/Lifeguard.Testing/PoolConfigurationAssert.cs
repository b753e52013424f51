using Lifeguard.Configuration;
using Lifeguard.Postgres;

namespace Lifeguard.Testing;

/// <summary>
/// Assertions for pool configuration in a test suite, with the same rules as `lifeguard check`
/// (e.g. <c>PoolConfigurationAssert.IsValid(config.GetConnectionString("Main")!, new() { Instances = 4, ServerMaxConnections = 100 })</c>).
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

    private static IReadOnlyList<PoolFinding> Findings(IEnumerable<PoolConfiguration> pools, PoolCheckOptions? options) =>
        PoolConfigurationRules.Evaluate(pools, options ?? new PoolCheckOptions());

    private static void Fail(IReadOnlyList<PoolFinding> findings, bool warningsAsErrors)
    {
        var failing = warningsAsErrors ? findings : findings.Where(f => f.Severity == FindingSeverity.Error).ToList();
        if (failing.Count > 0) throw new PoolConfigurationAssertException(failing);
    }
}
