using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

/// <summary>A site whose management address requires a bearer token.</summary>
public sealed class ManagementTokenFixture : SiteFixture
{
    public const string Token = "website-test-token-0123456789";

    internal override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Lifeguard:Endpoints:Token"] = Token,
    };
}
