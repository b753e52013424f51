using System.Globalization;
using System.Text;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Load;

namespace Lifeguard.Cli.Drill;

/// <summary>`lifeguard drill --all`: every fault in turn, each with its own report in a subdirectory, and one table.</summary>
internal static class DrillSuite
{
    public static async Task<IReadOnlyList<DrillSuiteRow>> RunAsync(DrillOptions options, IReadOnlyList<string> faults, Action<string> say, CancellationToken ct, IncidentLink? incidents = null)
    {
        var rows = new List<DrillSuiteRow>();
        foreach (var fault in faults)
        {
            var expected = DrillFaults.ExpectedCause(fault);
            if (!DrillFaults.Implemented.Contains(fault))
            {
                rows.Add(new DrillSuiteRow(fault, expected, null, null, "not implemented yet", false, 0, "not implemented"));
                continue;
            }

            say($"=== drill --fault {fault}{(options.Quick ? " --quick" : "")} ===");
            // each fault its own incident (and postmortem) in the incident service, when it runs
            using var link = incidents?.Next();
            try
            {
                var report = await new DrillRunner(options with { Fault = fault }, say) { Incident = link }.RunAsync(ct).ConfigureAwait(false);
                if (link is not null) report = report with { Incident = await link.CompleteAsync(report.Recovered, ct).ConfigureAwait(false) };
                report = await DrillCommand.WriteReportAsync(report, Path.Combine(options.OutputDirectory, fault), null, ct).ConfigureAwait(false);
                rows.Add(Row(report));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or LoginFailedException or HttpRequestException or Npgsql.NpgsqlException)
            {
                say($"drill --fault {fault} failed: {e.Message}");
                if (link is not null) await link.CompleteAsync(false, CancellationToken.None).ConfigureAwait(false);
                rows.Add(new DrillSuiteRow(fault, expected, null, null, "drill failed: " + e.Message, false, 0, e.Message));
            }
        }

        return rows;
    }

    // A later case that named another cause (or none) is the row's cause: the row passes only when every case did.
    public static DrillSuiteRow Row(DrillReport r) => new(
        r.Fault, r.ExpectedCause ?? "", r.Cases?.FirstOrDefault(c => c.RootCause?.Kind != c.ExpectedCause) is { } wrong ? wrong.RootCause?.Kind : r.RootCause?.Kind,
        r.RootCauseAfterS, r.Mitigation?.Action ?? "", r.Recovered, r.DurationS, null);

    /// <summary>The table: fault, cause named, seconds to cause, mitigation, recovered.</summary>
    public static string Table(IReadOnlyList<DrillSuiteRow> rows)
    {
        var md = new StringBuilder();
        md.AppendLine("| fault | expected cause | cause named | s to cause | mitigation | recovered | drill s |");
        md.AppendLine("|---|---|---|---:|---|---|---:|");
        foreach (var r in rows)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Fault} | {r.ExpectedCause} | {(r.CauseNamed is null ? "—" : r.CauseNamed == r.ExpectedCause ? r.CauseNamed : r.CauseNamed + " (wrong)")} | {(r.SecondsToCause is { } t ? t.ToString("0", CultureInfo.InvariantCulture) : "—")} | {r.Mitigation.Replace("|", "/", StringComparison.Ordinal)} | {(r.Recovered ? "yes" : "no")} | {r.DurationS:0} |"));
        }

        return md.ToString();
    }
}

/// <summary>One line of the `--all` table; <see cref="Passed"/> when the right cause was named and the site recovered.</summary>
internal sealed record DrillSuiteRow(string Fault, string ExpectedCause, string? CauseNamed, double? SecondsToCause, string Mitigation, bool Recovered, double DurationS, string? Error)
{
    public bool Passed => Error is null && CauseNamed == ExpectedCause && Recovered;
}
