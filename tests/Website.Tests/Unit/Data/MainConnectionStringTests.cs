using Lifeguard.Kit;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Website.Data;

namespace Website.Tests.Unit.Data;

public sealed class MainConnectionStringTests
{
    private static IConfiguration Config(string? value) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Main"] = value }).Build();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Resolve_Missing_ThrowsNamingTheKey(string? value) =>
        Should.Throw<StartupConfigurationException>(() => MainConnectionString.Resolve(Config(value)))
            .Message.ShouldContain("ConnectionStrings:Main is missing");

    [Theory]
    [InlineData("this is not a connection string")]
    [InlineData("Hots=localhost;Port=5432")]
    [InlineData("Port=5432;Database=x")]
    public void Resolve_Invalid_ThrowsOneLineNamingTheKey(string value)
    {
        var ex = Should.Throw<StartupConfigurationException>(() => MainConnectionString.Resolve(Config(value)));
        ex.Message.ShouldStartWith("ConnectionStrings:Main is invalid");
        ex.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void Resolve_NoTimeouts_AppliesFailFastDefaults()
    {
        var b = new NpgsqlConnectionStringBuilder(MainConnectionString.Resolve(Config("Host=127.0.0.1;Username=u;Password=p")));
        b.Timeout.ShouldBe(3);
        b.CommandTimeout.ShouldBe(5);
    }

    [Fact]
    public void Resolve_ExplicitTimeouts_AreKept()
    {
        var b = new NpgsqlConnectionStringBuilder(MainConnectionString.Resolve(Config("Host=h;Timeout=9;Command Timeout=20")));
        b.Timeout.ShouldBe(9);
        b.CommandTimeout.ShouldBe(20);
    }
}
