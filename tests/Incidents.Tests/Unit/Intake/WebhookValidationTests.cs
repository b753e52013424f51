using Incidents.Intake;
using Lifeguard.Contracts.Alertmanager;

namespace Incidents.Tests.Unit;

/// <summary>What intake refuses before anything is stored: too much (413), malformed or control characters (400).</summary>
public sealed class WebhookValidationTests
{
    private static readonly IntakeOptions Bounds = new() { MaxAlertsPerBody = 3, MaxLabelsPerAlert = 4, MaxNameLength = 20, MaxValueLength = 50 };

    private static AlertmanagerWebhook Body(string groupKey = "{}:{alertname=\"X\"}", int alerts = 1, Dictionary<string, string>? labels = null,
        Dictionary<string, string>? annotations = null) => new()
    {
        Version = "4", GroupKey = groupKey, Status = "firing",
        Alerts = Enumerable.Range(0, alerts).Select(i => new AlertmanagerAlert
        {
            Status = "firing", Fingerprint = $"fp{i}", StartsAt = DateTimeOffset.UtcNow,
            Labels = labels ?? new() { ["alertname"] = "X" }, Annotations = annotations ?? [],
        }).ToList(),
    };

    [Fact]
    public void Check_AGoodBody_IsNull() => WebhookValidation.Check(Body(), Bounds).ShouldBeNull();

    [Fact]
    public void Check_TooManyAlerts_Is413() => WebhookValidation.Check(Body(alerts: 4), Bounds)!.Value.Status.ShouldBe(413);

    [Theory]
    [InlineData("{}:{alertname=\"X\"}\r\nINJECTED")]
    [InlineData("key\u001b[31m")]
    [InlineData("key\u2028line")]
    public void Check_ControlCharactersInTheGroupKey_Is400(string key)
    {
        var problem = WebhookValidation.Check(Body(groupKey: key), Bounds)!.Value;
        problem.Status.ShouldBe(400);
        problem.Problem.ShouldBe("groupKey holds control characters");
    }

    [Theory]
    [InlineData("bad-name", "v")]
    [InlineData("9starts_with_digit", "v")]
    [InlineData("a_very_long_label_name_over_twenty", "v")]
    [InlineData("ok", "line\nbreak")]
    [InlineData("ok", "01234567890123456789012345678901234567890123456789x")]
    public void Check_BadLabel_Is400(string name, string value) =>
        WebhookValidation.Check(Body(labels: new() { ["alertname"] = "X", [name] = value }), Bounds)!.Value.Status.ShouldBe(400);

    [Fact]
    public void Check_TooManyLabels_Is400() =>
        WebhookValidation.Check(Body(labels: new() { ["a"] = "1", ["b"] = "2", ["c"] = "3", ["d"] = "4", ["e"] = "5" }), Bounds)!.Value.Status.ShouldBe(400);

    [Fact]
    public void Check_AnnotationValueOverLines_IsFine_ButNotOtherControls()
    {
        WebhookValidation.Check(Body(annotations: new() { ["description"] = "two\nlines" }), Bounds).ShouldBeNull();
        WebhookValidation.Check(Body(annotations: new() { ["description"] = "bell\u0007" }), Bounds)!.Value.Status.ShouldBe(400);
    }

    [Fact]
    public void CapAlerts_KeepsKnownThenNewestUpToTheCap_CountsTheRest()
    {
        var now = DateTimeOffset.UtcNow;
        var alerts = Enumerable.Range(0, 5).Select(i => new AlertmanagerAlert { Fingerprint = $"fp{i}", Status = "firing", StartsAt = now.AddSeconds(i) }).ToList();
        var known = new Dictionary<string, Incidents.Data.AlertRow> { ["fp0"] = new() { Fingerprint = "fp0", Status = Incidents.Domain.AlertStatus.Firing } };
        var (kept, overflow) = IntakeService.CapAlerts(alerts, known, 3);
        kept.Select(a => a.Fingerprint).ShouldBe(["fp0", "fp3", "fp4"], ignoreOrder: true);
        overflow.ShouldBe(2);
    }
}
