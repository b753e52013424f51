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
    IReadOnlyList<CheckReportPool> Pools,
    IReadOnlyList<CheckReportFinding> Findings);

/// <summary>The budget and fleet the rules compared against.</summary>
internal sealed record CheckReportOptions(double RequestBudgetSeconds, int Instances, int? MaxConnections, int ReservedConnections, int OtherClientConnections, int? DatabaseCores);

/// <summary>One connection string as the provider parsed it.</summary>
internal sealed record CheckReportPool(string Name, string? Server, string? Database, bool Pooling, int MaximumPoolSize, int MinimumPoolSize, double TimeoutSeconds, double ConnectionLifetimeSeconds, string? ProviderError);

/// <summary>One finding.</summary>
internal sealed record CheckReportFinding(string RuleId, string Rule, FindingSeverity Severity, string Subject, string Message, string Fix);
