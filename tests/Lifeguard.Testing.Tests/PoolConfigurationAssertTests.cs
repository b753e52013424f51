using Lifeguard.Configuration;

namespace Lifeguard.Testing.Tests;

public sealed class PoolConfigurationAssertTests
{
    private const string Good = "Host=db;Database=app;Maximum Pool Size=10;Timeout=3";

    [Fact]
    public void IsValid_GoodConnectionString_DoesNotThrow()
    {
        Should.NotThrow(() => PoolConfigurationAssert.IsValid(Good));
    }

    [Fact]
    public void IsValid_RejectedKeyword_ThrowsWithRuleAndFix()
    {
        var e = Should.Throw<PoolConfigurationAssertException>(() => PoolConfigurationAssert.IsValid("Host=db;Max Pool Size=10;Timeout=3"));
        e.Findings.ShouldHaveSingleItem().RuleId.ShouldBe("LG001");
        e.Message.ShouldContain("Fix: Rename 'max pool size' to 'Maximum Pool Size'");
    }

    [Fact]
    public void IsValid_FleetOverBudget_Throws()
    {
        var options = new PoolCheckOptions { Instances = 20, ServerMaxConnections = 100, ReservedConnections = 3 };
        Should.Throw<PoolConfigurationAssertException>(() => PoolConfigurationAssert.IsValid(Good, options))
            .Findings.Select(f => f.RuleId).ShouldBe(["LG011"]);
    }

    [Fact]
    public void IsValid_WarningsOnlyFailWhenAskedTo()
    {
        const string defaults = "Host=db"; // LG005 (default Timeout 15 s) and LG008 (default size) are warnings
        Should.NotThrow(() => PoolConfigurationAssert.IsValid(defaults));
        Should.Throw<PoolConfigurationAssertException>(() => PoolConfigurationAssert.IsValid(defaults, warningsAsErrors: true))
            .Findings.Count.ShouldBe(2);
    }

    [Fact]
    public void HasFinding_TimeoutZero_IsReported_AndMissingRuleThrows()
    {
        Should.NotThrow(() => PoolConfigurationAssert.HasFinding("Host=db;Maximum Pool Size=5;Timeout=0", "LG004"));
        Should.Throw<PoolConfigurationAssertException>(() => PoolConfigurationAssert.HasFinding(Good, "LG004"));
    }

    [Fact]
    public void AppSettingsAreValid_FileWithBadString_Throws()
    {
        var path = Path.Combine(Path.GetTempPath(), $"appsettings-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "ConnectionStrings": { "Main": "Host=db;Maximum Pool Size=5;Minimum Pool Size=9;Timeout=3" } }""");
        try
        {
            Should.Throw<PoolConfigurationAssertException>(() => PoolConfigurationAssert.AppSettingsAreValid(path))
                .Findings.ShouldHaveSingleItem().Subject.ShouldBe("ConnectionStrings:Main");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
