using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Incidents.Escalations;
using Incidents.Tests.Infrastructure;
using Lifeguard.Kit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Incidents.Tests.Infrastructure.Webhooks;

namespace Incidents.Tests.Integration;

/// <summary>
/// Escalation end to end on the real service and PostgreSQL, with a real webhook receiver, a Slack-shaped receiver and a real
/// SMTP server; waits pass on a FakeTimeProvider, so a policy's minutes take no wall-clock time.
/// </summary>
public sealed class EscalationTests : IAsyncLifetime
{
    // a free port per test: a fixed one can still be held by the previous test's server while it shuts down
    private readonly int SmtpPort = FreePort();

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
    private TestDatabase _db = null!;
    private WebhookSink _hook = null!;
    private WebhookSink _slack = null!;
    private SmtpSink _smtp = null!;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<RunningService> _services = [];
    private string _policyFile = "";

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _hook = await WebhookSink.StartAsync();
        _slack = await WebhookSink.StartAsync();
        _smtp = SmtpSink.Start(SmtpPort);
        _policyFile = Path.Combine(Path.GetTempPath(), $"escalation-{Guid.NewGuid():N}.yaml");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _services) await s.DisposeAsync();
        await _hook.DisposeAsync();
        await _slack.DisposeAsync();
        await _smtp.DisposeAsync();
        await _db.DisposeAsync();
        File.Delete(_policyFile);
    }

    private string Users => """
        users:
          ana: { email: ana@example.org }
          ben: { email: ben@example.org }
        schedules:
          primary: { time_zone: Europe/Berlin, rotation: daily, start: 2026-01-01, hand_off: "09:00", users: [ana, ben] }
        """;

    private async Task<RunningService> StartAsync(string policies, TimeProvider? time = null)
    {
        await File.WriteAllTextAsync(_policyFile, Users + "\nchannels:\n" +
            $"  hook: {{ type: webhook, url: \"{_hook.Url}\" }}\n  chat: {{ type: slack, url: \"{_slack.Url}\" }}\n  dead: {{ type: webhook, url: \"http://127.0.0.1:1/\" }}\n" +
            policies + "\ndefault_policy: page\n");
        var s = await RunningService.StartAsync(_db.ConnectionString, new Dictionary<string, string?>
        {
            ["Incidents:Escalation:PolicyFile"] = _policyFile,
            ["Incidents:Escalation:PollInterval"] = "00:00:00.030",
            ["Incidents:Escalation:RetryDelay"] = "00:00:00.100",
            ["Incidents:Escalation:DeliveryAttempts"] = "3",
            ["Incidents:Escalation:SmtpPort"] = SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Incidents:Escalation:PublicUrl"] = "http://incidents.example:5090/",
        }, time ?? _time);
        _services.Add(s);
        return s;
    }

    // bounded polling for something the service does in the background; never an assertion about how long it took
    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("waited 20 s for " + what);
            await Task.Delay(25);
        }
    }

    private static Task Until(Func<bool> condition, string what) => Until(() => Task.FromResult(condition()), what);

    // lets every replica's worker poll a few more times, so a duplicate would have been sent by now
    private static Task SettleAsync() => Task.Delay(600);

    private static string[] Kinds(JsonElement incident) =>
        incident.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToArray();

    private static string[] Messages(JsonElement incident, string kind) =>
        incident.GetProperty("timeline").EnumerateArray().Where(e => e.GetProperty("kind").GetString() == kind).Select(e => e.GetProperty("message").GetString()!).ToArray();

    private async Task<long> OpenAsync(HttpClient api, string group) =>
        (await PostAsync(api, Body(group, Alert("fp-" + group, "firing", _time.GetUtcNow().AddSeconds(-30))))).GetProperty("incident_id").GetInt64();

    [Fact]
    public async Task Escalation_Unacknowledged_NotifiesChannelsThenOnCallByEmail_AckPauses_AckTimeoutRetriggers_ResolveStops()
    {
        var service = await StartAsync("""
            policies:
              page:
                ack_timeout: 10
                steps:
                  - notify_channel: hook
                  - notify_channel: chat
                  - wait: 5
                  - notify_schedule: primary
                  - wait: 5
                  - repeat: { from: 4, times: 1 }
            """);
        using var api = service.Api();
        var id = await OpenAsync(api, "g1");

        await Until(() => _hook.Received.Count == 1 && _slack.Received.Count == 1, "the channels of step 1 and 2");
        var hook = _hook.Received.Single();
        ((long)hook["incident_id"]!).ShouldBe(id);
        ((string)hook["acknowledge_url"]!).ShouldBe($"http://incidents.example:5090/incidents/{id}");
        ((string)hook["status"]!).ShouldBe("triggered");
        var slack = _slack.Received.Single();
        ((string)slack["text"]!).ShouldContain($"#{id}");
        ((string)slack["blocks"]![2]!["elements"]![0]!["url"]!).ShouldBe($"http://incidents.example:5090/incidents/{id}");
        _smtp.Received.ShouldBeEmpty();
        var esc = await api.GetFromJsonAsync<JsonElement>($"/api/incidents/{id}/escalation");
        esc.GetProperty("policy").GetString().ShouldBe("page");
        esc.GetProperty("state").GetString().ShouldBe("running");
        esc.GetProperty("next_step").GetInt32().ShouldBe(4);
        esc.GetProperty("steps")[3].GetString().ShouldBe("notify the on-call of primary");
        esc.GetProperty("deliveries").GetArrayLength().ShouldBe(2);

        _time.Advance(TimeSpan.FromMinutes(5));
        await Until(() => _smtp.Received.Count == 1, "the on-call's e-mail after the 5 minute wait");
        var onCall = service.Services.GetRequiredService<EscalationLifecycle>().Config.Schedules["primary"].OnCallAt(_time.GetUtcNow())!;
        var mail = _smtp.Received.Single();
        mail.To.Mailboxes.Single().Address.ShouldBe($"{onCall}@example.org");
        mail.Subject!.ShouldContain($"#{id}");
        mail.TextBody!.ShouldContain($"Acknowledge: http://incidents.example:5090/incidents/{id}");
        var incident = await GetIncidentAsync(api, id);
        Messages(incident, "escalation_step").ShouldContain(m => m.Contains($"({onCall} is on call)", StringComparison.Ordinal));
        await Until(async () => Kinds(await GetIncidentAsync(api, id)).Count(k => k == "delivery_sent") == 3, "three deliveries recorded");

        (await api.PostAsync($"/api/incidents/{id}/acknowledge", null)).EnsureSuccessStatusCode();
        _time.Advance(TimeSpan.FromMinutes(6)); // the repeat's wait has passed: acknowledged, nobody is notified
        await SettleAsync();
        _smtp.Received.Count.ShouldBe(1);
        (await GetIncidentAsync(api, id)).GetProperty("status").GetString().ShouldBe("acknowledged");

        _time.Advance(TimeSpan.FromMinutes(4)); // 10 minutes after the acknowledgement
        await Until(async () => (await GetIncidentAsync(api, id)).GetProperty("status").GetString() == "triggered", "the re-trigger");
        await Until(() => _hook.Received.Count == 2, "the policy starting over");
        Kinds(await GetIncidentAsync(api, id)).ShouldContain("retriggered");

        (await api.PostAsync($"/api/incidents/{id}/resolve", null)).EnsureSuccessStatusCode();
        _time.Advance(TimeSpan.FromMinutes(60));
        await SettleAsync();
        _hook.Received.Count.ShouldBe(2);
        _smtp.Received.Count.ShouldBe(1);
        incident = await GetIncidentAsync(api, id);
        Messages(incident, "escalation_stopped").ShouldContain(m => m.StartsWith("Escalation 'page' stopped: resolved", StringComparison.Ordinal));
        (await _db.ScalarAsync<string>($"SELECT state FROM escalations WHERE incident_id = {id}")).ShouldBe("stopped");
    }

    private const string ThreeHooks = """
        policies:
          page:
            steps:
              - notify_channel: hook
              - wait: 1
              - notify_channel: hook
              - wait: 1
              - notify_channel: hook
        """;

    [Fact]
    public async Task TwoReplicas_SameDueEscalations_SendEachNotificationExactlyOnce()
    {
        var a = await StartAsync(ThreeHooks);
        var b = await StartAsync(ThreeHooks);
        using var apiA = a.Api();
        using var apiB = b.Api();
        var ids = new List<long>();
        for (var i = 0; i < 8; i++) ids.Add(await OpenAsync(i % 2 == 0 ? apiA : apiB, "r" + i));

        await Until(() => _hook.Received.Count >= 8, "step 1 of every incident");
        _time.Advance(TimeSpan.FromMinutes(1));
        await Until(() => _hook.Received.Count >= 16, "step 3 of every incident");
        _time.Advance(TimeSpan.FromMinutes(1));
        await Until(() => _hook.Received.Count >= 24, "step 5 of every incident");
        await SettleAsync();

        var sent = _hook.Received.Select(n => ((long)n["incident_id"]!, (int)n["step"]!)).ToList();
        sent.Count.ShouldBe(24);
        sent.Distinct().Count().ShouldBe(24);
        sent.Select(s => s.Item1).Distinct().Order().ShouldBe(ids.Order());
        (await _db.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE status = 'sent' AND attempts = 1")).ShouldBe(24);
    }

    [Fact]
    public async Task Restart_MidEscalation_NextStepStillHappensOnce()
    {
        var first = await StartAsync(ThreeHooks);
        using (var api = first.Api()) await OpenAsync(api, "restart");
        await Until(async () => await _db.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE status = 'sent'") == 1, "step 1 sent and recorded");
        _services.Remove(first);
        await first.DisposeAsync(); // the only replica goes away during the wait

        _time.Advance(TimeSpan.FromMinutes(1));
        await StartAsync(ThreeHooks);
        await Until(() => _hook.Received.Count >= 2, "step 3 after the restart");
        await SettleAsync();
        _hook.Received.Select(n => (int)n["step"]!).ShouldBe([1, 3]);
    }

    [Fact]
    public async Task ChannelSecrets_InTheirUrls_AppearNowhereAReaderCanRead()
    {
        // a working channel whose URL carries user info and a signed query, and a dead one with a secret path and token
        var working = new UriBuilder(_hook.Url) { UserName = "HookUserSecret", Password = "HookPassSecret", Query = "sig=QuerySecret123" }.Uri;
        var service = await StartAsync($$"""
            policies:
              page:
                steps:
                  - notify_channel: signed
                  - notify_channel: gone
            """.Replace("policies:", $"  signed: {{ type: webhook, url: \"{working}\" }}\n  gone: {{ type: slack, url: \"http://127.0.0.1:1/services/T0PathSecret/B1PathSecret?token=TokenSecret\" }}\npolicies:", StringComparison.Ordinal), TimeProvider.System);
        using var api = service.Api();
        var id = (await PostAsync(api, Body("secrets", Alert("fp-secrets", "firing", DateTimeOffset.UtcNow.AddSeconds(-5))))).GetProperty("incident_id").GetInt64();
        await Until(async () => Messages(await GetIncidentAsync(api, id), "delivery_failed").Any(m => m.StartsWith("Gave up on slack gone", StringComparison.Ordinal))
            && Messages(await GetIncidentAsync(api, id), "delivery_sent").Any(m => m.StartsWith("Sent webhook signed", StringComparison.Ordinal)), "both channels tried");

        using var ui = new UiClient(service.BaseAddress);
        await ui.LoginAsync(RunningService.ViewerEmail, RunningService.Password);
        var readable = string.Join("\n",
            await api.GetStringAsync($"/api/incidents/{id}"), await api.GetStringAsync($"/api/incidents/{id}/escalation"),
            await api.GetStringAsync($"/api/incidents/{id}/timeline"), await api.GetStringAsync($"/api/incidents/{id}/postmortem"),
            await ui.Http.GetStringAsync($"/incidents/{id}"), await ui.Http.GetStringAsync($"/incidents/{id}/postmortem"));
        foreach (var secret in (string[])["HookUserSecret", "HookPassSecret", "QuerySecret123", "T0PathSecret", "B1PathSecret", "TokenSecret", "127.0.0.1:1/"])
        {
            readable.ShouldNotContain(secret, Case.Sensitive, $"a reader sees {secret}");
        }

        readable.ShouldContain("signed");
        readable.ShouldContain("gone");
    }

    [Fact]
    public async Task Delivery_FailingReceivers_RetriedWithBackoff_EveryAttemptInTheTimeline()
    {
        _hook.FailFirst = 2;
        var service = await StartAsync("""
            policies:
              page:
                steps:
                  - notify_channel: hook
                  - notify_channel: dead
                  - notify_user: ben
            """, TimeProvider.System);
        using var api = service.Api();
        var id = (await PostAsync(api, Body("retry", Alert("fp-retry", "firing", DateTimeOffset.UtcNow.AddSeconds(-5))))).GetProperty("incident_id").GetInt64();

        await Until(async () => Messages(await GetIncidentAsync(api, id), "delivery_failed").Any(m => m.StartsWith("Gave up", StringComparison.Ordinal)), "the dead channel given up");
        await Until(() => _hook.Received.Count == 1 && _smtp.Received.Count == 1, "the flaky hook on its third attempt and ben's e-mail");
        var incident = await GetIncidentAsync(api, id);
        var failed = Messages(incident, "delivery_failed");
        failed.ShouldContain(m => m.StartsWith("Attempt 1 of webhook hook", StringComparison.Ordinal) && m.Contains("HTTP 500", StringComparison.Ordinal) && m.Contains("retrying in 0.1 s", StringComparison.Ordinal));
        failed.ShouldContain(m => m.StartsWith("Attempt 2 of webhook hook", StringComparison.Ordinal) && m.Contains("retrying in 0.2 s", StringComparison.Ordinal));
        failed.ShouldContain(m => m.StartsWith("Gave up on webhook dead after 3 attempt(s): the receiver could not be reached", StringComparison.Ordinal));
        // the channel is named, never addressed: not its URL, not the port the socket error would name
        incident.GetRawText().ShouldNotContain("127.0.0.1:1/");
        Messages(incident, "delivery_sent").ShouldContain(m => m.StartsWith("Sent webhook hook", StringComparison.Ordinal) && m.Contains("attempt 3", StringComparison.Ordinal));
        Messages(incident, "delivery_sent").ShouldContain(m => m.StartsWith("Sent e-mail to ben (step", StringComparison.Ordinal));
        _hook.Requests.ShouldBe(3);
    }

    [Fact]
    public async Task Start_InvalidPolicyFile_FailsNamingTheLine()
    {
        await File.WriteAllTextAsync(_policyFile, "policies:\n  page:\n    steps:\n      - notify_channel: nowhere\n");
        var ex = await Should.ThrowAsync<StartupConfigurationException>(() => RunningService.StartAsync(_db.ConnectionString,
            new Dictionary<string, string?> { ["Incidents:Escalation:PolicyFile"] = _policyFile }));
        ex.Message.ShouldContain($"{_policyFile}:4: policy 'page': step 1: channel 'nowhere' is not in channels");
    }

    [Fact]
    public async Task OnCallApi_AtATime_NamesTheOnCallAndTheNextHandOff_BadTimeIs400()
    {
        var service = await StartAsync("policies:\n  page:\n    steps:\n      - notify_channel: hook\n");
        using var api = service.Api();
        // 2026-01-01 is shift 0 (ana) from 09:00 CET = 08:00 UTC
        var rows = await api.GetFromJsonAsync<JsonElement>("/api/oncall?at=2026-01-01T08:30:00Z");
        var primary = rows.EnumerateArray().Single();
        primary.GetProperty("schedule").GetString().ShouldBe("primary");
        primary.GetProperty("user").GetString().ShouldBe("ana");
        primary.GetProperty("email").GetString().ShouldBe("ana@example.org");
        primary.GetProperty("next_hand_off").GetDateTimeOffset().ShouldBe(new DateTimeOffset(2026, 1, 2, 8, 0, 0, TimeSpan.Zero));
        primary.GetProperty("next_user").GetString().ShouldBe("ben");
        (await api.GetAsync("/api/oncall?at=yesterday")).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        using var anonymous = service.Api(token: null);
        (await anonymous.GetAsync("/api/oncall")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Ui_IncidentPageShowsItsEscalation_OnCallPageShowsTheSchedule()
    {
        var service = await StartAsync("policies:\n  page:\n    steps:\n      - notify_channel: hook\n      - wait: 5\n      - notify_schedule: primary\n");
        using var api = service.Api();
        var id = await OpenAsync(api, "ui");
        await Until(() => _hook.Received.Count == 1, "step 1");
        using var ui = new UiClient(service.BaseAddress);
        (await ui.LoginAsync(RunningService.ViewerEmail, RunningService.Password)).StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
        var page = await ui.Http.GetStringAsync($"/incidents/{id}");
        page.ShouldContain("id=\"escalation\"");
        page.ShouldContain("notify the on-call of primary");
        page.ShouldContain("<td>webhook</td><td>hook</td>");
        var oncall = await ui.Http.GetStringAsync("/oncall?at=2026-01-01T08:30:00Z");
        oncall.ShouldContain("<td>primary</td><td>Europe/Berlin</td><td>ana</td><td>2026-01-02 08:00</td><td>ben</td>");
    }
}
