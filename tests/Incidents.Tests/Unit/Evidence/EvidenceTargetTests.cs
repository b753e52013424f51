using Incidents.Evidence;

namespace Incidents.Tests.Unit;

/// <summary>An alert's instance label selects a configured target by exact host:port, and is never made into a URL.</summary>
public sealed class EvidenceTargetTests
{
    private static EvidenceOptions Options()
    {
        var o = new EvidenceOptions();
        o.Targets["site"] = "http://127.0.0.1:5081";
        return o;
    }

    private static (Uri? Url, string? Reason) Resolve(params (string K, string V)[] labels) =>
        EvidenceTarget.Resolve(labels.ToDictionary(l => l.K, l => l.V), Options());

    [Fact]
    public void Resolve_InstanceOfAConfiguredTarget_IsThatTargetsDiagnosis() =>
        Resolve(("pool", "p"), ("instance", "127.0.0.1:5081")).Url!.ToString().ShouldBe("http://127.0.0.1:5081/lifeguard/diagnosis");

    [Theory]
    [InlineData("127.0.0.1:5082")] // another local port: the case the issue names
    [InlineData("10.1.2.3:5081")]
    [InlineData("127.0.0.1:5081/../admin")]
    [InlineData("127.0.0.1:5081\\admin")]
    [InlineData("user@127.0.0.1:5081")]
    [InlineData("169.254.169.254:80")]
    public void Resolve_InstanceThatIsNoTarget_IsNoUrlAndSaysSo(string instance)
    {
        var (url, reason) = Resolve(("pool", "p"), ("instance", instance));
        url.ShouldBeNull();
        reason.ShouldStartWith("No diagnosis fetched: no configured evidence target for instance");
    }

    [Fact]
    public void Resolve_ControlCharactersInTheLabel_AreNotCarriedIntoTheReason() =>
        Resolve(("pool", "p"), ("instance", "x\r\nforged")).Reason!.ShouldNotContain("\n");

    [Fact]
    public void Resolve_NoPoolLabel_IsNothingAtAll() => Resolve(("instance", "127.0.0.1:5081")).ShouldBe((null, null));

    [Theory]
    [InlineData("http://127.0.0.1:5081", true)]
    [InlineData("https://mgmt.internal:8443/", true)]
    [InlineData("http://user:pw@127.0.0.1:5081", false)]
    [InlineData("http://127.0.0.1:5081/lifeguard", false)]
    [InlineData("http://127.0.0.1:5081/?a=b", false)]
    [InlineData("ftp://127.0.0.1:21", false)]
    [InlineData("127.0.0.1:5081", false)]
    [InlineData("http://127.0.0.1:5081\\x", false)]
    public void ParseTarget_AcceptsOnlySchemeHostPort(string value, bool ok) => (EvidenceTarget.ParseTarget(value) is not null).ShouldBe(ok);

    [Fact]
    public void Options_ABadTarget_FailValidation()
    {
        var o = new EvidenceOptions();
        o.Targets["bad"] = "http://user:pw@127.0.0.1:5081/x";
        o.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(o)).ShouldHaveSingleItem().ErrorMessage!.ShouldContain("Targets:bad");
    }
}
