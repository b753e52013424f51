using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

/// <summary>The site in the Development environment: even there no stack trace may reach a visitor.</summary>
public sealed class HostileInputFixture : SiteFixture
{
    internal override string Environment => "Development";
}
