using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Lifeguard.Contracts;
using Lifeguard.Fleet;
using Spectre.Console;

namespace Lifeguard.Cli.Diagnose;

/// <summary>
/// `lifeguard diagnose --fleet --url MANAGEMENT`: the fleet as one instance read it from the registry (GET /lifeguard/fleet):
/// every live instance with its pool, slots held, refused opens and diagnosis, and the fleet's connection budget.
/// Exit 0 when the fleet fits and every instance is healthy, 3 when it oversubscribes or an instance names a cause.
/// </summary>
internal static class FleetDiagnosis
{
    /// <summary>The endpoint's answer: the fleet, or why there is none.</summary>
    internal sealed record FleetAnswer(FleetSignals? Fleet, string? Note);

    public static async Task<int> RunAsync(IAnsiConsole console, string address, FileInfo? tokenFile, FileInfo? jsonPath, bool watch, CancellationToken ct)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            throw new CliException($"--url: '{address}' is not an http(s) address.");
        CliJson.EnsureWritable(jsonPath, "--json");
        using var http = ManagementAccess.CreateClient(tokenFile, TimeSpan.FromSeconds(5), baseUri);
        var fleet = await FetchAsync(http, ct).ConfigureAwait(false);
        Print(console, fleet);
        await CliJson.WriteAsync(jsonPath, fleet, ct).ConfigureAwait(false);
        while (watch && !ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
                fleet = await FetchAsync(http, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            console.WriteLine();
            Print(console, fleet);
            await CliJson.WriteAsync(jsonPath, fleet, CancellationToken.None).ConfigureAwait(false);
        }
        var unwell = fleet.Budget.Oversubscribed || fleet.Instances.Any(i => i.Cause is { } c && c != "healthy");
        return unwell ? DiagnoseCommand.CauseNamed : 0;
    }

    private static async Task<FleetSignals> FetchAsync(HttpClient http, CancellationToken ct)
    {
        FleetAnswer? answer;
        try
        {
            answer = await http.GetFromJsonAsync<FleetAnswer>("lifeguard/fleet", ContractJson.Options, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException || e is TaskCanceledException && !ct.IsCancellationRequested)
        {
            var why = e is HttpRequestException h ? ManagementAccess.Explain(h, http.DefaultRequestHeaders.Authorization is not null) : e.Message;
            throw new CliException($"--url: cannot read {new Uri(http.BaseAddress!, "lifeguard/fleet")}: {why}", e);
        }
        return answer?.Fleet ?? throw new CliException("--fleet: " + (answer?.Note ?? "the app has no fleet reading (docs/fleet.md)."));
    }

    private static void Print(IAnsiConsole console, FleetSignals f)
    {
        // One line per item, never wrapped, as the diagnosis itself.
        var b = f.Budget;
        var color = b.Oversubscribed ? "red" : "green";
        CliApp.MarkupLineUnwrapped(console, F($"[bold {color}]fleet: {b.Instances} instance(s)[/], pools may open {b.Demand} of the {b.Budget} slot(s) left for them ({b.UsableSlots} usable − {b.OtherClients} held by other clients)")
            + (b.Oversubscribed ? F($": [bold red]oversubscribed[/], a Maximum Pool Size of at most {b.FitsPerInstance} per instance fits") : ""));
        foreach (var i in f.Instances)
        {
            var cause = i.Cause ?? "–";
            CliApp.MarkupLineUnwrapped(console, "  - " + Markup.Escape(F($"'{i.ApplicationName}'{(i.ApplicationName == f.Self ? " (asked)" : "")}: pool max {i.PoolMax}, {i.InUse} in use, {i.Waiting} waiting, {i.SlotsHeld} slot(s) held, {i.Refused} refused, wait p99 {i.WaitP99Ms:0.0} ms, diagnosis ")
                + cause + F($", heartbeat {i.HeartbeatAt.ToUniversalTime():HH:mm:ss}Z")));
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
