using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Faults;
using Npgsql;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Mitigations;

/// <summary>What a mitigation may use: the diagnosis it answers, the fault in place, the operator's own session (opened
/// before the fault), the site's pool size and its management address.</summary>
internal sealed record MitigationContext(
    Lifeguard.Diagnosis.DiagnosisReport Diagnosis,
    IFaultInjector Fault,
    NpgsqlConnection Admin,
    int PoolSize,
    SiteProbe Site,
    CancellationToken CancellationToken);
