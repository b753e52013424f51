using Incidents.Evidence;

namespace Incidents.Tests.Unit;

public sealed class EvidenceTargetTests
{
    private static Uri? Resolve(params (string K, string V)[] labels) =>
        EvidenceTarget.Resolve(labels.ToDictionary(l => l.K, l => l.V), new EvidenceOptions());

    [Fact]
    public void Resolve_PoolOnLoopbackInstance_IsItsDiagnosisUrl() =>
        Resolve(("pool", "p"), ("instance", "127.0.0.1:5081"))!.ToString().ShouldBe("http://127.0.0.1:5081/lifeguard/diagnosis");

    [Theory]
    [InlineData("10.1.2.3:5081")]
    [InlineData("127.0.0.1:5081/../admin")]
    [InlineData("user@127.0.0.1:5081")]
    [InlineData("evil.example:80")]
    public void Resolve_InstanceOutsideAllowedHostsOrNotHostPort_IsNull(string instance) =>
        Resolve(("pool", "p"), ("instance", instance)).ShouldBeNull();

    [Fact]
    public void Resolve_NoPoolLabel_IsNull() => Resolve(("instance", "127.0.0.1:5081")).ShouldBeNull();
}
