using static Lifeguard.Cli.Drill.Reporting.DrillNarrator;

namespace Lifeguard.Cli.Drill.Fleet;

/// <summary>The fleet drill's side-by-side finding: the same surge on the same instances without and with the governor.</summary>
internal static class FleetFindings
{
    public static DrillComparison Governor(DrillFleet fleet, DrillPhase without, DrillPhase with, TimeSpan slowThreshold)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(without);
        ArgumentNullException.ThrowIfNull(with);
        var a = fleet.Runs[0];
        var b = fleet.Runs[^1];
        // Shown: the fault was real without the governor (refused connections), and with it nothing was refused while
        // the claims stayed within the slots the other clients left.
        var holds = a.RefusedByServer > 0 && b.RefusedByServer == 0 && b.Instances.Sum(i => i.Refused) == 0 && b.OverBudgetSamples == 0 && with.Requests > 0;
        var finding = F($"{fleet.Instances} instances × Maximum Pool Size={fleet.PoolMaxPerInstance} = {fleet.Demand} connections against {fleet.UsableSlots} usable slots. ")
            + F($"Without the governor the server refused {a.RefusedByServer} connection(s); {without.Errors} of {without.Requests} requests failed ({without.ErrorRate:P1}), p99 {without.P99Ms:0} ms; the pools held up to {a.MostFleetSessions} sessions. ")
            + F($"With the governor: {b.RefusedByServer} refused, {with.Errors} of {with.Requests} failed ({with.ErrorRate:P1}), p99 {with.P99Ms:0} ms, served p99 {with.ServedP99Ms:0} ms, pool wait p99 {with.PoolWaitP99Ms:0} ms; caps {string.Join(", ", b.Instances.Select(i => F($"{i.Instance} {i.LastCap?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}")))}, claims at most {b.MostClaims} against at least {b.LeastBudget} slots left for the pools. ")
            + (holds ? "The governor turned refused connections into a short wait inside each instance: its share of the slots, nobody refused."
                : a.RefusedByServer == 0 ? "The surge was not refused even without the governor: no fault to compare."
                : "The governor did not keep every connection within the server's slots here.");
        return new DrillComparison(DrillComparison.FleetGovernor,
            "Does the fleet governor keep several instances within the server's connection slots under the same surge, so that no connection is refused?",
            slowThreshold.TotalSeconds,
            [DrillRun.From("without the governor", without), DrillRun.From("with the governor", with)],
            finding, holds);
    }
}
