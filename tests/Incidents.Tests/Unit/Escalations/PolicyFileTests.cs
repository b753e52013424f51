using Incidents.Domain;
using Incidents.Escalations;

namespace Incidents.Tests.Unit;

public sealed class PolicyFileTests
{
    private const string Valid = """
        users:
          ana: { email: ana@example.org }
          ben: { email: ben@example.org }
        channels:
          hook: { type: webhook, url: "http://127.0.0.1:1/h" }
          chat: { type: slack, url: "http://127.0.0.1:1/s" }
          mail: { type: email, to: [ops@example.org] }
        schedules:
          primary: { time_zone: Europe/Berlin, rotation: weekly, start: 2026-01-05, hand_off: "09:00", users: [ana, ben] }
        policies:
          page:
            ack_timeout: 30
            steps:
              - notify_channel: hook
              - wait: 5
              - notify_schedule: primary
              - repeat: { from: 2, times: 2 }
          db:
            steps:
              - notify_user: ben
          low:
            steps:
              - notify_channel: mail
        routes:
          - match: { severity: page, pool: orders }
            policy: db
          - match: { severity: page }
            policy: page
        default_policy: low
        """;

    private static string[] Errors(string yaml) =>
        Should.Throw<PolicyFileException>(() => PolicyFile.Parse(yaml, "p.yaml")).Errors.ToArray();

    [Fact]
    public void Parse_ValidFile_ReadsEverySection()
    {
        var c = PolicyFile.Parse(Valid, "p.yaml");
        c.Users.Count.ShouldBe(2);
        c.Channels["chat"].Kind.ShouldBe(ChannelKind.Slack);
        c.Channels["mail"].To.ShouldBe(["ops@example.org"]);
        var page = c.Policies["page"];
        page.AckTimeoutMinutes.ShouldBe(30);
        page.Steps.Select(s => s.Kind).ShouldBe([StepKind.NotifyChannel, StepKind.Wait, StepKind.NotifySchedule, StepKind.Repeat]);
        page.Steps[3].RepeatFrom.ShouldBe(2);
        page.Steps[3].Times.ShouldBe(2);
        page.Steps[0].Line.ShouldBe(14);
    }

    [Fact]
    public void Route_FirstMatchWins_ElseDefault()
    {
        var c = PolicyFile.Parse(Valid, "p.yaml");
        c.Route(new Dictionary<string, string> { ["severity"] = "page", ["pool"] = "orders" })!.Name.ShouldBe("db");
        c.Route(new Dictionary<string, string> { ["severity"] = "page", ["pool"] = "main" })!.Name.ShouldBe("page");
        c.Route(new Dictionary<string, string> { ["severity"] = "ticket" })!.Name.ShouldBe("low");
        c.Route(new Dictionary<string, string>())!.Name.ShouldBe("low");
    }

    [Fact]
    public void Parse_SampleDeployFile_IsValid()
    {
        var c = PolicyFile.Load(Path.Combine(TestEnvironment.RepoRoot, "deploy", "incidents", "escalation.yaml"));
        c.Route(new Dictionary<string, string> { ["severity"] = "page" })!.Steps[0].Target.ShouldBe("default");
    }

    [Fact]
    public void Parse_UnknownReferences_NameTheirLines()
    {
        var e = Errors("""
            users:
              ana: { email: ana@example.org }
            policies:
              p:
                steps:
                  - notify_user: zoe
                  - notify_schedule: nobody
                  - notify_channel: nowhere
            routes:
              - match: { severity: page }
                policy: missing
            default_policy: p
            """);
        e.ShouldContain("p.yaml:6: policy 'p': step 1: user 'zoe' is not in users");
        e.ShouldContain("p.yaml:7: policy 'p': step 2: schedule 'nobody' is not in schedules");
        e.ShouldContain("p.yaml:8: policy 'p': step 3: channel 'nowhere' is not in channels");
        e.ShouldContain("p.yaml:11: route: policy 'missing' is not a policy");
    }

    [Fact]
    public void Parse_RepeatWithoutWaitOrForward_IsRejected()
    {
        var e = Errors("""
            channels:
              h: { type: webhook, url: "http://127.0.0.1:1/" }
            policies:
              p:
                steps:
                  - notify_channel: h
                  - repeat: { from: 1, times: 3 }
                  - repeat: { from: 5, times: 1 }
            """);
        e.ShouldContain("p.yaml:7: policy 'p': step 2: repeating steps 1..1 without a wait would notify 4 times at once");
        e.ShouldContain("p.yaml:8: policy 'p': step 3: repeat from 5 must name an earlier step (1..2)");
    }

    [Fact]
    public void Parse_BadScheduleValues_NameTheirLines()
    {
        var e = Errors("""
            users:
              ana: { email: ana@example.org }
            schedules:
              s:
                time_zone: Mars/Olympus
                rotation: hourly
                start: 5 January
                hand_off: "25:00"
                users: [ana, bob]
            """);
        e.ShouldContain("p.yaml:5: schedule 's': time zone 'Mars/Olympus' is unknown (use an IANA name such as Europe/Berlin)");
        e.ShouldContain("p.yaml:6: schedule 's': rotation 'hourly' is not daily or weekly");
        e.ShouldContain("p.yaml:7: schedule 's': start '5 January' is not a date (yyyy-MM-dd)");
        e.ShouldContain("p.yaml:8: schedule 's': hand_off '25:00' is not a time (HH:mm)");
        e.ShouldContain("p.yaml:9: schedule 's': user 'bob' is not in users");
    }

    [Fact]
    public void Parse_SyntaxErrorOrUnknownKeys_NameTheirLines()
    {
        Errors("policies:\n  p: [\n").Single().ShouldStartWith("p.yaml:3:");
        var e = Errors("""
            channels:
              h: { type: pigeon, url: "x" }
              w: { type: webhook, url: "ftp://x/" }
            polices: {}
            policies:
              p:
                steps:
                  - wait: -1
                  - sleep: 5
            """);
        e.ShouldContain("p.yaml:2: channel 'h': type 'pigeon' is not webhook, slack or email");
        e.ShouldContain("p.yaml:3: channel 'w': url 'ftp://x/' is not an absolute http(s) URL");
        e.ShouldContain(x => x.StartsWith("p.yaml:4: unknown section 'polices'", StringComparison.Ordinal));
        e.ShouldContain("p.yaml:8: policy 'p': step 1: wait '-1' must be minutes, a number above 0 and at most a week (10080)");
        e.ShouldContain("p.yaml:9: policy 'p': step 2: 'sleep' is not notify_user, notify_schedule, notify_channel, wait or repeat");
    }
}
