using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

/// <summary>A site with short session lifetimes (idle 1 h, absolute 3 h) and a 5-minute cleanup, on the fixture's fake clock.</summary>
public sealed class SessionFixture : SiteFixture
{
    public static readonly TimeSpan Idle = TimeSpan.FromHours(1);
    public static readonly TimeSpan Absolute = TimeSpan.FromHours(3);
    public static readonly TimeSpan Cleanup = TimeSpan.FromMinutes(5);

    internal override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Website:SessionIdleTimeout"] = Idle.ToString(),
        ["Website:SessionAbsoluteLifetime"] = Absolute.ToString(),
        ["Website:CleanupInterval"] = Cleanup.ToString(),
    };
}
