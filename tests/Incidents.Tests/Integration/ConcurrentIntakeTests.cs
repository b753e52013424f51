using Incidents.Tests.Infrastructure;
using static Incidents.Tests.Infrastructure.Webhooks;

namespace Incidents.Tests.Integration;

/// <summary>Two replicas over one database: concurrent intake of one group never opens two incidents.</summary>
public sealed class ConcurrentIntakeTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private RunningService _a = null!;
    private RunningService _b = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string?>();
        _a = await RunningService.StartAsync(_db.ConnectionString, settings);
        _b = await RunningService.StartAsync(_db.ConnectionString, settings);
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Receive_SameGroupsAtOnceThroughTwoReplicas_OneIncidentPerGroup()
    {
        using var apiA = _a.Api();
        using var apiB = _b.Api();
        const int groups = 5;
        const int copies = 20;
        // every group: the same first notification sent many times at once to both replicas, plus a joining alert
        var tasks = new List<Task>();
        using var start = new SemaphoreSlim(0);
        for (var g = 0; g < groups; g++)
        {
            for (var c = 0; c < copies; c++)
            {
                var api = c % 2 == 0 ? apiA : apiB;
                var body = c % 5 == 4
                    ? Body($"group-{g}", Alert($"g{g}-a", "firing", T0), Alert($"g{g}-b", "firing", T0.AddSeconds(1)))
                    : Body($"group-{g}", Alert($"g{g}-a", "firing", T0));
                tasks.Add(Task.Run(async () => { await start.WaitAsync(); await PostAsync(api, body); }));
            }
        }

        start.Release(tasks.Count);
        await Task.WhenAll(tasks);

        (await _db.ScalarAsync<long>("SELECT count(*) FROM incidents")).ShouldBe(groups);
        (await _db.ScalarAsync<long>("SELECT count(DISTINCT group_key) FROM incidents")).ShouldBe(groups);
        (await _db.ScalarAsync<long>("SELECT count(*) FROM timeline WHERE kind = 'opened'")).ShouldBe(groups);
        // each group's second alert joined at most once (not at all when the two-alert body happened to open the incident)
        (await _db.ScalarAsync<long>("SELECT COALESCE(max(n), 0) FROM (SELECT count(*) AS n FROM timeline WHERE kind = 'alert_firing' GROUP BY incident_id) x")).ShouldBeLessThanOrEqualTo(1);
        (await _db.ScalarAsync<long>("SELECT count(*) FROM incident_alerts")).ShouldBe(groups * 2);
    }

    [Fact]
    public async Task Login_OnOneReplica_IsValidOnTheOtherWithItsAntiforgeryToken()
    {
        var id = (await PostAsync(_a.Api(), Body("g", Alert("fp1", "firing", T0)))).GetProperty("incident_id").GetInt64();
        using var onA = new UiClient(_a.BaseAddress);
        (await onA.LoginAsync(RunningService.ResponderEmail, RunningService.Password)).StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
        var jar = new System.Net.CookieContainer();
        foreach (System.Net.Cookie c in GetCookies(onA, _a.BaseAddress)) jar.Add(_b.BaseAddress, new System.Net.Cookie(c.Name, c.Value, "/"));
        using var onB = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false }) { BaseAddress = _b.BaseAddress };
        (await onB.GetAsync($"/incidents/{id}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        // a form token from replica A, posted to replica B
        var token = await onA.TokenAsync($"/incidents/{id}");
        using var ack = await onB.PostAsync($"/incidents/{id}?handler=Acknowledge", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        ack.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
        (await GetIncidentAsync(_b.Api(), id)).GetProperty("status").GetString().ShouldBe("acknowledged");
        // the key ring is in PostgreSQL, not in a replica's home directory (two machines would not share that)
        (await _db.ScalarAsync<long>("SELECT count(*) FROM data_protection_keys")).ShouldBeGreaterThan(0);
    }

    private static System.Net.CookieCollection GetCookies(UiClient client, Uri address) => client.Cookies.GetCookies(address);
}
