using System.Text.Json;
using Incidents.Escalations;
using Incidents.Intake;
using Incidents.Postmortem;
using Incidents.Views;

namespace Incidents.Tests.Unit;

/// <summary>
/// Client-chosen text (an application_name, alert labels, a title) stays text in every format the service writes:
/// Slack mrkdwn cannot ping a channel or form a link, the postmortem's Markdown cannot add links, HTML or headings.
/// </summary>
public sealed class OutputEscapingTests
{
    // the PGAPPNAME of the issue: on a lock-holding session it would ping the whole channel with a phishing link
    private const string HostileApp = "<!channel> <https://evil.example|Acknowledge>";
    private static readonly DateTimeOffset T0 = new(2026, 2, 10, 15, 45, 0, TimeSpan.Zero);

    private static Notification Lock() => new(9, $"Lock held by '{HostileApp}'", "triggered", new Dictionary<string, string> { ["pool"] = "p" }, "page", 1,
        "lock_contention", $"Sessions queue on a lock held by pid 42 (idle in transaction, application '{HostileApp}').",
        "End the root blocker's transaction (SELECT pg_terminate_backend(42)).", new Uri("http://127.0.0.1:5090/incidents/9"), "k");

    [Fact]
    public void Slack_ClientChosenNameInTitleAndSummary_IsEscapedSoNothingPingsOrLinks()
    {
        var json = MessageTemplate.Slack(Lock()).ToJsonString();
        using var doc = JsonDocument.Parse(json);
        var text = doc.RootElement.GetProperty("text").GetString()!;
        var section = doc.RootElement.GetProperty("blocks")[1].GetProperty("text").GetProperty("text").GetString()!;
        foreach (var mrkdwn in new[] { text, section })
        {
            mrkdwn.ShouldNotContain("<!channel>");
            mrkdwn.ShouldNotContain("<https://evil.example");
        }

        section.ShouldContain("&lt;!channel&gt; &lt;https://evil.example|Acknowledge&gt;");
        section.ShouldContain("*Do first:* End the root blocker's transaction");
    }

    [Fact]
    public void SlackText_EscapesAmpersandFirst() => MessageTemplate.SlackText("a & <b>").ShouldBe("a &amp; &lt;b&gt;");

    [Fact]
    public void Postmortem_HostileTitleEvidenceAndRunbook_StayInertMarkdown()
    {
        var diagnosis = JsonDocument.Parse(JsonSerializer.Serialize(new
        {
            cause = "lock_contention",
            summary = $"held by '{HostileApp}'",
            evidence = new[] { "root blocker: <img src=x onerror=alert(1)> [click](javascript:alert(1))" },
            remedy = "# not a heading\n## nor this",
        })).RootElement.Clone();
        var incident = new IncidentView(1, "triggered", "<script>alert(1)</script> ![x](http://evil.example/p.png)", "g", "r",
            new Dictionary<string, string>(), new Dictionary<string, string>(), T0, null, T0, null, null, null, null, null, null, null, 0, 0, "done", diagnosis,
            [new AlertView("fp", "firing", T0, null, new Dictionary<string, string> { ["alertname"] = "A" },
                new Dictionary<string, string> { ["runbook_url"] = "javascript:alert(1)" }, null),
             new AlertView("fp2", "firing", T0, null, new Dictionary<string, string> { ["alertname"] = "B" },
                new Dictionary<string, string> { ["runbook_url"] = "https://wiki.example/runbook#pool" }, null)],
            [new TimelineView(1, T0, "opened", "alertmanager", "Opened [link](http://evil.example) <b>bold</b>\n# forged heading")]);

        var md = PostmortemWriter.Write(incident, T0.AddMinutes(5));
        // every active character arrives backslash-escaped: no tag, image or link can form
        foreach (var active in (string[])[@"<script", @"<img", @"<b>", @"!\[", @"\[link\]\(", @"\[click\]\("])
        {
            System.Text.RegularExpressions.Regex.IsMatch(md, @"(?<!\\)" + active, System.Text.RegularExpressions.RegexOptions.IgnoreCase).ShouldBeFalse(active + " unescaped in:\n" + md);
        }

        md.ShouldNotContain("javascript:alert(1)>");
        md.ShouldNotContain("- [ ] Check the runbook entry javascript");
        md.Split('\n').ShouldNotContain(l => l.StartsWith("# forged", StringComparison.Ordinal) || l.StartsWith("# not a heading", StringComparison.Ordinal));
        md.ShouldContain("<https://wiki.example/runbook#pool>", Case.Sensitive, "an http(s) runbook is an autolink");
        md.ShouldContain(@"\<\!channel> \<https://evil.example\|Acknowledge>", Case.Sensitive, "the name is shown, escaped");
    }

    [Theory]
    [InlineData("https://wiki.example/r#a", null, "https://wiki.example/r#a")]
    [InlineData("javascript:alert(1)", null, null)]
    [InlineData("data:text/html,x", "https://git.example/repo/", null)]
    [InlineData("deploy/RUNBOOK.md#lifeguardpoolsaturated", null, "deploy/RUNBOOK.md#lifeguardpoolsaturated")]
    [InlineData("deploy/RUNBOOK.md#lifeguardpoolsaturated", "https://git.example/repo/blob/main/", "https://git.example/repo/blob/main/deploy/RUNBOOK.md#lifeguardpoolsaturated")]
    [InlineData("../../etc/passwd", null, null)]
    [InlineData("docs/a b.md", null, null)]
    public void RunbookLinks_KeepOnlySafeLinks(string value, string? baseUrl, string? expected) =>
        RunbookLinks.Resolve(value, baseUrl is null ? null : new Uri(baseUrl)).ShouldBe(expected);
}
