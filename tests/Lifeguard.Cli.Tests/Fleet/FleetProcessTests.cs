using System.Text.Json;
using Lifeguard.Cli.Drill;
using Npgsql;

namespace Lifeguard.Cli.Tests.Fleet;

/// <summary>
/// The fleet with real website processes and a real server: each instance names its sessions service/instance, joins the
/// registry and leaves it when killed, and `lifeguard diagnose --fleet` reads them both.
/// </summary>
public sealed class FleetProcessTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public void Dispose() => _cli.Dispose();

    private static Dictionary<string, string> Settings(string instance) => new(SiteDatabase.SiteSettings())
    {
        ["Lifeguard__Instance"] = instance,
        ["Lifeguard__Fleet__HeartbeatInterval"] = "00:00:00.500",
        ["Lifeguard__Fleet__Expiry"] = "00:00:03",
    };

    private static async Task<JsonElement> GetAsync(Uri management, string path, CancellationToken ct) =>
        JsonDocument.Parse(await Http.GetStringAsync(new Uri(management, path), ct)).RootElement.Clone();

    private static async Task<List<string>> FleetOf(SiteProcess site, CancellationToken ct)
    {
        var fleet = (await GetAsync(site.ManagementUrl, "/lifeguard/fleet", ct)).GetProperty("fleet");
        return fleet.ValueKind == JsonValueKind.Null ? []
            : [.. fleet.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("application_name").GetString()!).Order(StringComparer.Ordinal)];
    }

    private static async Task Until(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("never: " + what);
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task TwoSites_NameTheirSessionsPerInstance_JoinTheRegistry_AndAKilledOneLeaves()
    {
        var ct = TestContext.Current.CancellationToken;
        var repo = Checkout.Find();
        await using var db = await SeededSiteDatabase.CreateAsync(repo, "fleet_identity_", ct);
        var cs = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 4 }.ConnectionString;
        await using var a = await SiteProcess.StartAsync(repo, cs, Settings("a"), ct);
        var b = await SiteProcess.StartAsync(repo, cs, Settings("b"), ct);
        try
        {
            // A little load on both, so both pools hold sessions.
            var (exit, output, _) = await _cli.RunAsync(["load", "--url", a.Url.ToString(), "--url", b.Url.ToString(), "--users", "4", "--duration", "2s"]);
            exit.ShouldBe(0, output + _cli.Progress);

            await using (var admin = new NpgsqlConnection(db.ConnectionString))
            {
                await admin.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand("SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'Lifeguard.Website%' ORDER BY 1", admin);
                var names = new List<string>();
                await using (var r = await cmd.ExecuteReaderAsync(ct)) while (await r.ReadAsync(ct)) names.Add(r.GetString(0));
                names.ShouldBe(["Lifeguard.Website/a", "Lifeguard.Website/b"]);
            }
            await Until(async () => (await FleetOf(a, ct)).SequenceEqual(["Lifeguard.Website/a", "Lifeguard.Website/b"]), "a sees a and b in the fleet");
            // The OpenTelemetry resource carries the identity (Prometheus shows it as target_info).
            (await Http.GetStringAsync(new Uri(b.ManagementUrl, "/metrics"), ct)).ShouldContain("service_name=\"Lifeguard.Website\",service_instance_id=\"b\"");

            // diagnose --fleet through one instance reads every registered one. Pools of 4 fit; the exit code follows the
            // instances' own diagnoses (a cold site on a busy machine may name one): 3 exactly when a line names a cause.
            var (fleetExit, fleetOutput, fleetJson) = await _cli.RunAsync(["diagnose", "--fleet", "--url", a.ManagementUrl.ToString()]);
            var causeNamed = fleetJson!.Value.GetProperty("instances").EnumerateArray()
                .Any(i => i.GetProperty("cause").GetString() is { } c && c != "healthy");
            fleetExit.ShouldBe(causeNamed ? 3 : 0, fleetOutput + _cli.Progress);
            fleetOutput.ShouldContain("fleet: 2 instance(s), pools may open 8 of the");
            fleetOutput.ShouldContain("'Lifeguard.Website/a' (asked): pool max 4");
            fleetOutput.ShouldContain("'Lifeguard.Website/b': pool max 4");
            fleetJson.Value.GetProperty("instances").GetArrayLength().ShouldBe(2);
            fleetJson.Value.GetProperty("budget").GetProperty("oversubscribed").GetBoolean().ShouldBeFalse();
            fleetJson.Value.GetProperty("budget").GetProperty("demand").GetInt32().ShouldBe(8);
        }
        finally
        {
            // Killed (SIGKILL): no graceful leave, its row stays until its heartbeat expires.
            await b.DisposeAsync();
        }

        await Until(async () => (await FleetOf(a, ct)).SequenceEqual(["Lifeguard.Website/a"]), "the killed instance left a's fleet");
        await using var check = new NpgsqlConnection(db.ConnectionString);
        await check.OpenAsync(ct);
        await using var rows = new NpgsqlCommand("SELECT count(*) FROM lifeguard.fleet_instances WHERE instance = 'b'", check);
        ((long)(await rows.ExecuteScalarAsync(ct))!).ShouldBe(0);
    }

    // Several instances oversubscribing a small server, each naming the fleet, the holder and the size that fits: the
    // fleet drill (Drill/FleetDrillTests, three instances, then the governor under the same surge).
}
