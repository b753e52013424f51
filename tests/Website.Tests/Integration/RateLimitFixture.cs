using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

/// <summary>A site with a small account-POST budget (3 per ten minutes per IP), so the limit is reached quickly.</summary>
public sealed class RateLimitFixture : SiteFixture
{
    internal override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Website:AccountPostPermitLimit"] = "3",
        ["Website:AccountPostWindow"] = "00:10:00", // longer than the generic 60 s: the Retry-After must be the window's
    };
}
