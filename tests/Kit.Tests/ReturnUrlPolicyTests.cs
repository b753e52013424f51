using Lifeguard.Kit;

namespace Kit.Tests;

public sealed class ReturnUrlPolicyTests
{
    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard?x=1#top")]
    [InlineData("/")]
    [InlineData("/%0a/evil")] // stays percent-encoded in the Location header: a harmless local path
    public void IsLocal_PathOnThisSite_IsTrue(string url) => ReturnUrlPolicy.IsLocal(url).ShouldBeTrue();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("\\\\evil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("dashboard")]
    [InlineData("/dash\nboard")]
    public void IsLocal_ForeignOrTrickyUrl_IsFalse(string? url) => ReturnUrlPolicy.IsLocal(url).ShouldBeFalse();

    [Fact]
    public void SafeOrDefault_ForeignUrl_FallsBackToTheLandingPage() =>
        ReturnUrlPolicy.SafeOrDefault("https://evil.example/", "/dashboard").ShouldBe("/dashboard");
}
