using Lifeguard.Configuration;

namespace Lifeguard.Tests.Configuration;

public sealed class AppSettingsConnectionStringsTests
{
    [Fact]
    public void Find_TopLevelAndNestedSections_ReturnsEveryStringWithItsKey()
    {
        const string json = """
            {
              // comments are allowed in appsettings
              "ConnectionStrings": { "Main": "Host=a;Database=x", "Empty": "" },
              "Tenants": { "Eu": { "ConnectionStrings": { "Orders": "Host=b" } } },
              "Logging": { "LogLevel": { "Default": "Information" } },
            }
            """;
        var found = AppSettingsConnectionStrings.Find(json);
        found.Select(p => p.Key).ShouldBe(["ConnectionStrings:Main", "Tenants:Eu:ConnectionStrings:Orders"]);
        found[1].Value.ShouldBe("Host=b");
    }

    [Fact]
    public void Find_NoSection_ReturnsEmpty()
    {
        AppSettingsConnectionStrings.Find("""{ "Logging": {} }""").ShouldBeEmpty();
    }
}
