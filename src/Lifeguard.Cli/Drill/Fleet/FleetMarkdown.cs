using System.Globalization;
using System.Text;

namespace Lifeguard.Cli.Drill.Fleet;

/// <summary>The fleet drill's section of drill.md: each instance in each run, side by side.</summary>
internal static class FleetMarkdown
{
    public static void Render(DrillFleet? fleet, StringBuilder md)
    {
        ArgumentNullException.ThrowIfNull(md);
        if (fleet is null) return;
        void L(FormattableString s) => md.AppendLine(s.ToString(CultureInfo.InvariantCulture));
        L($"");
        L($"## The fleet, instance by instance");
        L($"");
        L($"{fleet.Instances} instances × `Maximum Pool Size={fleet.PoolMaxPerInstance}` = {fleet.Demand} connections; the server: max_connections {fleet.MaxConnections}, {fleet.UsableSlots} usable slots; {fleet.UsersPerInstance} users per instance, no think time.");
        foreach (var run in fleet.Runs)
        {
            L($"");
            L($"### {run.Label} ({run.SurgeS:0} s surge)");
            L($"");
            L($"Refused by the server: {run.RefusedByServer}; the pools held at most {run.MostFleetSessions} sessions; the other clients left them at least {run.LeastBudget} slots{(run.Governor ? $"; the governor's claims summed to at most {run.MostClaims}, over the budget at {run.OverBudgetSamples} sample(s)" : "")}.");
            L($"");
            L($"| instance | requests | errors | p50 ms | p99 ms | refused opens | most slots held | {(run.Governor ? "cap | " : "")}diagnosis named | after | names the fleet |");
            L($"|---|---:|---:|---:|---:|---:|---:|{(run.Governor ? "---:|" : "")}---|---:|---|");
            foreach (var i in run.Instances)
            {
                var cap = run.Governor ? (i.LastCap?.ToString(CultureInfo.InvariantCulture) ?? "—") + " | " : "";
                L($"| {i.Instance} | {i.Requests} | {i.Errors} | {i.P50Ms:0} | {i.P99Ms:0} | {i.Refused} | {i.MostSlots} | {cap}`{i.Cause}` | {(i.NamedAfterS is { } a ? a.ToString("0", CultureInfo.InvariantCulture) + " s" : "—")} | {(i.FleetEvidence ? "yes" : "no")} |");
            }

            foreach (var i in run.Instances.Where(i => i.FleetEvidence))
            {
                L($"");
                L($"{i.Instance}'s evidence:");
                foreach (var e in i.Evidence) L($"- {e}");
            }
        }
    }
}
