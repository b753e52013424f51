using Lifeguard.Configuration;
using Lifeguard.Postgres;

namespace Lifeguard.Cli.Check;

/// <summary>The JSON `lifeguard check --json` writes. Connection strings themselves are never written (they hold passwords).</summary>
internal sealed record CheckReport(
    string Verb,
    string Target,
    bool Passed,
    int Errors,
    int Warnings,
    CheckReportOptions Options,
    ServerConnectionBudget? Server,
    CheckReportPooler? Pooler,
    int? SessionStateUses,
    IReadOnlyList<CheckReportPool> Pools,
    IReadOnlyList<CheckReportFinding> Findings);

/// <summary>The budget and fleet the rules compared against.</summary>
internal sealed record CheckReportOptions(double RequestBudgetSeconds, int Instances, int? MaxConnections, int ReservedConnections, int OtherClientConnections, int? DatabaseCores);

/// <summary>One connection string as the provider parsed it.</summary>
internal sealed record CheckReportPool(string Name, string? Server, string? Database, bool Pooling, int MaximumPoolSize, int MinimumPoolSize, double TimeoutSeconds, double ConnectionLifetimeSeconds, bool NoResetOnClose, int MaxAutoPrepare, string? ProviderError);

/// <summary>The pooler the rules compared against (null in the JSON when none was declared).</summary>
internal sealed record CheckReportPooler(
    string Kind, string Source, string Mode, string? Version, int? ListenPort, int MaxClientConn, int DefaultPoolSize, int ReservePoolSize,
    int? MaxDbConnections, int? MaxPreparedStatements, IReadOnlyList<int> PairPoolSizes, long MaximumServerConnections)
{
    public static CheckReportPooler? From(PoolerSettings? p) => p is null ? null : new(
        p.Kind, p.Source, p.Mode.ToString().ToLowerInvariant(), p.Version?.ToString(), p.ListenPort, p.MaxClientConnections, p.DefaultPoolSize,
        p.ReservePoolSize, p.MaxDbConnections, p.MaxPreparedStatements, p.EffectivePairPoolSizes, p.MaximumServerConnections);
}

/// <summary>One finding.</summary>
internal sealed record CheckReportFinding(string RuleId, string Rule, FindingSeverity Severity, string Subject, string Message, string Fix);
