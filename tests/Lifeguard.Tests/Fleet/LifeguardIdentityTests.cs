using Lifeguard.Fleet;

namespace Lifeguard.Tests.Fleet;

public sealed class LifeguardIdentityTests
{
    private static Func<string, string?> Env(string? pod = null, string? host = null) =>
        name => name switch { "POD_NAME" => pod, "HOSTNAME" => host, _ => null };

    [Fact]
    public void Resolve_NothingConfigured_EntryAssemblyAndHostWithPort()
    {
        var id = LifeguardIdentity.Resolve(null, null, "Shop.Web", Env(), "vm-7", 5080, 4242);
        id.ShouldBe(new LifeguardIdentity("Shop.Web", "vm-7:5080"));
        id.ApplicationName.ShouldBe("Shop.Web/vm-7:5080");
    }

    [Fact]
    public void Resolve_PodName_WinsOverHostAndPort()
    {
        LifeguardIdentity.Resolve(null, null, "Shop.Web", Env(pod: "shop-web-7d9f-x2k", host: "node-3"), "m", 8080, 1).Instance.ShouldBe("shop-web-7d9f-x2k");
    }

    [Fact]
    public void Resolve_NoPort_HostAndProcessIdTellTwoProcessesApart()
    {
        var a = LifeguardIdentity.Resolve(null, null, "Worker", Env(host: "node-3"), "m", null, 100);
        var b = LifeguardIdentity.Resolve(null, null, "Worker", Env(host: "node-3"), "m", 0, 101);
        a.Instance.ShouldBe("node-3:pid100");
        b.Instance.ShouldBe("node-3:pid101");
    }

    [Fact]
    public void Resolve_Configured_KeptTrimmed()
    {
        LifeguardIdentity.Resolve(" billing ", " web-2 ", "X", Env(pod: "p"), "m", 1, 1).ShouldBe(new LifeguardIdentity("billing", "web-2"));
    }

    [Theory]
    [InlineData("a/b", "x", "Lifeguard:Service")]
    [InlineData("svc", "x\ny", "Lifeguard:Instance")]
    public void Resolve_UnusableValue_ThrowsNamingTheKey(string service, string instance, string key)
    {
        Should.Throw<ArgumentException>(() => LifeguardIdentity.Resolve(service, instance, "X", Env(), "m", 1, 1)).Message.ShouldContain(key);
    }

    [Fact]
    public void Resolve_LongerThanPostgresKeeps_Throws()
    {
        Should.Throw<ArgumentException>(() => LifeguardIdentity.Resolve(new string('s', 40), new string('i', 30), "X", Env(), "m", 1, 1))
            .Message.ShouldContain("63 bytes");
    }

    [Fact]
    public void Resolve_LongDefaultPodName_KeepsItsEndWithinPostgresLimit()
    {
        var pod = "checkout-service-frontend-deployment-7d9f8b6c5d-" + "x2k9q";
        var id = LifeguardIdentity.Resolve("Shop.Checkout.Frontend", null, "X", Env(pod: pod), "m", 1, 1);
        System.Text.Encoding.UTF8.GetByteCount(id.ApplicationName).ShouldBe(63);
        id.Instance.ShouldEndWith("-x2k9q");
    }

    [Theory]
    [InlineData("Host=h;Username=u", "svc/i")]
    [InlineData("Host=h;Application Name=mine", "mine")]
    [InlineData("Host=h;ApplicationName=mine", "mine")]
    public void ApplyTo_SetsApplicationNameUnlessTheAppSetOne(string connectionString, string expected)
    {
        var applied = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = new LifeguardIdentity("svc", "i").ApplyTo(connectionString) };
        (applied.TryGetValue("Application Name", out var v) ? v : applied["ApplicationName"]).ShouldBe(expected);
    }
}
