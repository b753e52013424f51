using Lifeguard.Kit;
using Microsoft.AspNetCore.Http;

namespace Kit.Tests;

/// <summary>Session ids, safe text, trusted proxies and the __Host- cookie: the pieces both apps take from the Kit.</summary>
public sealed class HardeningTests
{
    [Fact]
    public void SessionIds_NewKey_HashesToWhatIsStored_AndOtherKeysHashToNothing()
    {
        var (key, hash) = SessionIds.New();
        key.Length.ShouldBe(43);
        SessionIds.HashOf(key).ShouldBe(hash);
        SessionIds.New().Key.ShouldNotBe(key);
        SessionIds.HashOf(key[..42]).ShouldBeNull();
        SessionIds.HashOf(key[..42] + "!").ShouldBeNull();
        SessionIds.HashOf(null).ShouldBeNull();
    }

    [Theory]
    [InlineData("a\r\nINJECTED", "a??INJECTED")]
    [InlineData("esc\u001b[31m", "esc?[31m")]
    [InlineData("line\u2028sep", "line?sep")]
    [InlineData("plain", "plain")]
    public void SafeText_Printable_ShowsControlsAsQuestionMarks(string text, string expected) => SafeText.Printable(text).ShouldBe(expected);

    [Fact]
    public void SafeText_Printable_Clips() => SafeText.Printable(new string('x', 300), 10).ShouldBe("xxxxxxxxxx…");

    [Fact]
    public void TrustedProxies_NoneConfigured_TrustsNobodyNotEvenLoopback()
    {
        var o = HostHardening.TrustedProxyOptions([]);
        o.KnownProxies.ShouldBeEmpty();
        o.KnownIPNetworks.ShouldBeEmpty();
        HostHardening.TrustedProxyOptions(["10.0.0.5"]).KnownProxies.ShouldHaveSingleItem().ToString().ShouldBe("10.0.0.5");
        Should.Throw<StartupConfigurationException>(() => HostHardening.TrustedProxyOptions(["proxy.example"]));
    }

    [Theory]
    [InlineData(true, "__Host-app.auth")]
    [InlineData(false, "app.auth")]
    public void HostPrefixCookieManager_OverHttps_PrefixesAndHardens(bool https, string name)
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Scheme = https ? "https" : "http";
        new HostPrefixCookieManager().AppendResponseCookie(ctx, "app.auth", "v", new CookieOptions { Path = "/x", Domain = "example.org" });
        var header = ctx.Response.Headers.SetCookie.ToString();
        header.ShouldStartWith(name + "=v");
        if (https)
        {
            header.ShouldContain("secure");
            header.ShouldContain("path=/;", Case.Insensitive);
            header.ShouldNotContain("domain=", Case.Insensitive);
        }
    }
}
