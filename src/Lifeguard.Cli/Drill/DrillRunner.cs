using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Drill.Reporting;
using Lifeguard.Cli.Drill.Scenarios;

namespace Lifeguard.Cli.Drill;

/// <summary>
/// One drill: prepares the database and the drill's environment, runs the scenario of the fault (the pool incident, or
/// any other fault), and returns its report. The scenarios, the phase engine, the detector, the mitigations and the
/// report each live in their own class; this one only wires them.
/// </summary>
internal sealed class DrillRunner(DrillOptions options, Action<string> say)
{
    /// <summary>When set, the named cause is posted to the incident service as an alert (see <see cref="IncidentLink"/>).</summary>
    public IncidentLink? Incident { get; init; }

    public async Task<DrillReport> RunAsync(CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var narrator = new DrillNarrator(say);
        // The fleet runs on a small server of its own (several instances oversubscribe it with a few users each).
        if (options.Fault == DrillFaults.Fleet) return await new Fleet.FleetScenario(options, narrator, Incident).RunAsync(startedAt, ct).ConfigureAwait(false);
        await using var database = await SiteDatabase.PrepareAsync(options.PgPort, options.PgDataDir, options.SeedScale, say, ct).ConfigureAwait(false);
        await using var env = await DrillEnvironment.OpenAsync(options, database, narrator, ct).ConfigureAwait(false);
        return options.Fault == DrillFaults.Pool
            ? await new PoolScenario(env, Incident).RunAsync(startedAt, ct).ConfigureAwait(false)
            : await new FaultScenario(env, Incident).RunAsync(startedAt, ct).ConfigureAwait(false);
    }
}
