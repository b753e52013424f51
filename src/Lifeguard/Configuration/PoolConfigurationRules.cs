using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Lifeguard.Configuration;

/// <summary>Evaluates the <see cref="PoolRules"/> over a set of pool configurations: pure logic, no I/O.</summary>
public static class PoolConfigurationRules
{
    /// <summary>Returns every finding, errors first; an empty list means the configuration passes.</summary>
    public static IReadOnlyList<PoolFinding> Evaluate(IEnumerable<PoolConfiguration> pools, PoolCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(options);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        var list = pools.ToList();
        var findings = new List<PoolFinding>();
        foreach (var pool in list)
        {
            EvaluateOne(pool, options, findings);
        }
        // Behind a pooler the application's pools are the pooler's clients, not the server's: the pooler rules compare them.
        EvaluateFleet(list.Where(p => p.ProviderError is null && !PoolerConfigurationRules.IsBehind(p, options.Pooler)).ToList(), options, findings);
        PoolerConfigurationRules.Evaluate(list, options, findings);
        return findings.OrderByDescending(f => f.Severity).ThenBy(f => f.RuleId, StringComparer.Ordinal).ToList();
    }

    /// <summary>True when any finding is an error.</summary>
    public static bool HasErrors(IEnumerable<PoolFinding> findings) => findings.Any(f => f.Severity == FindingSeverity.Error);

    private static void EvaluateOne(PoolConfiguration pool, PoolCheckOptions options, List<PoolFinding> findings)
    {
        var name = pool.Name;
        if (pool.ProviderError is { } error)
        {
            Add(findings, PoolRules.ProviderRejected, name, error, pool.ProviderFix ?? "Use only keywords and values the provider documents for its connection string.");
            return;
        }

        if (!pool.Pooling)
        {
            Add(findings, PoolRules.PoolingDisabled, name, "Pooling=false: every open makes a new server connection, and nothing bounds how many.",
                "Remove Pooling=false (or keep it only behind an external pooler such as PgBouncer).");
            return; // the remaining settings describe a pool that does not exist
        }

        if (pool.MinimumPoolSize > pool.MaximumPoolSize)
        {
            Add(findings, PoolRules.MinimumAboveMaximum, name, F($"Minimum Pool Size {pool.MinimumPoolSize} is above Maximum Pool Size {pool.MaximumPoolSize}."),
                F($"Set Minimum Pool Size to at most {pool.MaximumPoolSize}."));
        }

        if (!pool.MaximumPoolSizeSet)
        {
            Add(findings, PoolRules.PoolSizeDefault, name, F($"Maximum Pool Size is not set; the provider default {pool.MaximumPoolSize} applies."),
                "Set Maximum Pool Size to the number `lifeguard size` recommends.");
        }

        var budget = options.RequestBudget;
        if (pool.AcquireTimeout == TimeSpan.Zero)
        {
            Add(findings, PoolRules.TimeoutInfinite, name, "Timeout=0: when the pool is exhausted, requests wait forever instead of failing.",
                F($"Set Timeout to a few seconds, below the {Seconds(budget)} request budget (e.g. Timeout={Math.Max(1, (int)(budget.TotalSeconds / 3))})."));
        }
        else if (pool.AcquireTimeout >= budget)
        {
            var message = F($"Timeout {Seconds(pool.AcquireTimeout)} is not shorter than the {Seconds(budget)} request budget: a starved request waits past its deadline.");
            var fix = F($"Set Timeout={Math.Max(1, (int)(budget.TotalSeconds / 3))} (a third of the budget) so pool exhaustion fails fast.");
            if (pool.AcquireTimeoutSet)
            {
                Add(findings, PoolRules.TimeoutExceedsBudget, name, message, fix);
            }
            else
            {
                findings.Add(new PoolFinding(PoolRules.TimeoutExceedsBudget.Id, FindingSeverity.Warning, name, message + " (provider default)", fix));
            }
        }

        if (pool.ConnectionLifetime == TimeSpan.Zero)
        {
            Add(findings, PoolRules.LifetimeInfinite, name, "Connection Lifetime=0: pooled connections live forever.",
                "Set Connection Lifetime (e.g. 3600 seconds) so connections are recycled after failovers and rebalancing.");
        }
        else if (pool.ConnectionLifetime < options.MinimumConnectionLifetime)
        {
            Add(findings, PoolRules.LifetimeTooShort, name, F($"Connection Lifetime {Seconds(pool.ConnectionLifetime)} makes the pool reconnect constantly."),
                F($"Set Connection Lifetime to at least {Seconds(options.MinimumConnectionLifetime)} (e.g. 3600)."));
        }
    }

    private static void EvaluateFleet(List<PoolConfiguration> pools, PoolCheckOptions options, List<PoolFinding> findings)
    {
        foreach (var group in pools.Where(p => p.Pooling).GroupBy(p => p.Server ?? "(unknown server)", StringComparer.Ordinal))
        {
            var members = group.ToList();
            var server = group.Key;
            if (members.Count > 1)
            {
                Add(findings, PoolRules.SeveralPoolsOneServer, "fleet",
                    F($"{members.Count} distinct connection strings reach {server} ({string.Join(", ", members.Select(m => m.Name))}): each is its own pool of up to its Maximum Pool Size."),
                    "Use one connection string per server (one data source), or count every pool when sizing the budget.");
            }

            var perInstance = members.Sum(m => (long)m.MaximumPoolSize);
            var fleet = perInstance * options.Instances;
            if (options.DatabaseCores is { } cores && fleet > cores * 4L)
            {
                Add(findings, PoolRules.AboveUsefulParallelism, "fleet",
                    F($"{options.Instances} instance(s) × {perInstance} connections = {fleet} to {server}, above {cores} cores × 4 = {cores * 4}."),
                    F($"Lower Maximum Pool Size toward {Math.Max(1, cores * 4 / options.Instances / members.Count)} per pool; queueing in the pool is cheaper than in the database."));
            }

            if (options.ServerMaxConnections is { } max)
            {
                var available = (long)max - options.ReservedConnections - options.OtherClientConnections;
                if (fleet > available)
                {
                    var share = Math.Max(0, available) / options.Instances / members.Count;
                    Add(findings, PoolRules.FleetOverBudget, "fleet",
                        F($"{options.Instances} instance(s) × {perInstance} connections = {fleet} to {server}, but max_connections {max} − {options.ReservedConnections} reserved − {options.OtherClientConnections} other clients leaves {Math.Max(0, available)}."),
                        share > 0
                            ? F($"Set Maximum Pool Size to at most {share} per pool, raise max_connections, or put PgBouncer in front.")
                            : "Raise max_connections or put PgBouncer in front: not one connection per pool is left.");
                }
            }
        }
    }

    private static void Add(List<PoolFinding> findings, PoolRule rule, string subject, string message, string fix) =>
        findings.Add(new PoolFinding(rule.Id, rule.Severity, subject, message, fix));

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
