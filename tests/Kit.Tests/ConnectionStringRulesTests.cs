using Lifeguard.Kit;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Kit.Tests;

/// <summary>One reading of a connection string for both apps: defaults only where the string sets no such keyword.</summary>
public sealed class ConnectionStringRulesTests
{
    private static readonly ConnectionDefaults Defaults = new(5, 7, 16, "Lifeguard.Test");

    private static NpgsqlConnectionStringBuilder Resolve(string? raw) => new(ConnectionStringRules.Resolve(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:X"] = raw }).Build(), "ConnectionStrings:X", Defaults));

    [Fact]
    public void Resolve_NothingSet_AppliesEveryDefault()
    {
        var b = Resolve("Host=127.0.0.1;Database=d");
        (b.Timeout, b.CommandTimeout, b.MaxPoolSize, b.ApplicationName).ShouldBe((5, 7, 16, "Lifeguard.Test"));
    }

    [Fact]
    public void Resolve_CommandTimeoutSet_IsNotMistakenForTimeout()
    {
        // the drift the review found: a substring match saw "timeout=" inside "Command Timeout=" and skipped the connect timeout
        var b = Resolve("Host=127.0.0.1;Command Timeout=30");
        b.CommandTimeout.ShouldBe(30);
        b.Timeout.ShouldBe(5);
    }

    [Theory]
    [InlineData("Host=h;Timeout=9;Maximum Pool Size=3;Application Name=mine")]
    [InlineData("Host=h;timeout=9;maximum pool size=3;applicationname=mine")]
    public void Resolve_KeywordsSetInAnySpelling_AreKept(string raw)
    {
        var b = Resolve(raw);
        (b.Timeout, b.MaxPoolSize, b.ApplicationName).ShouldBe((9, 3, "mine"));
    }

    [Theory]
    [InlineData(null, "ConnectionStrings:X is missing: set it in appsettings.json or the ConnectionStrings__X environment variable.")]
    [InlineData("Database=d", "ConnectionStrings:X is invalid: it names no Host.")]
    [InlineData("Host=h;NoSuchKeyword=1", "ConnectionStrings:X is invalid")]
    public void Resolve_MissingOrBad_IsAOneLineStartupError(string? raw, string message) =>
        Should.Throw<StartupConfigurationException>(() => Resolve(raw)).Message.ShouldStartWith(message);
}
