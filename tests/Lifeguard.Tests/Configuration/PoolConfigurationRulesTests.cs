using Lifeguard.Configuration;

namespace Lifeguard.Tests.Configuration;

public sealed class PoolConfigurationRulesTests
{
    // A configuration that passes every rule: explicit size, short timeout, hourly recycling.
    private static PoolConfiguration Good(string name = "Main", string server = "db:5432") => new()
    {
        Name = name,
        Server = server,
        MaximumPoolSize = 10,
        MaximumPoolSizeSet = true,
        MinimumPoolSize = 2,
        AcquireTimeout = TimeSpan.FromSeconds(3),
        AcquireTimeoutSet = true,
        ConnectionLifetime = TimeSpan.FromHours(1),
    };

    private static IReadOnlyList<PoolFinding> Evaluate(PoolCheckOptions? options = null, params PoolConfiguration[] pools) =>
        PoolConfigurationRules.Evaluate(pools, options ?? new PoolCheckOptions());

    [Fact]
    public void Evaluate_GoodConfiguration_HasNoFindings()
    {
        Evaluate(null, Good()).ShouldBeEmpty();
    }

    [Fact]
    public void Evaluate_ProviderRejected_IsErrorWithProviderFix()
    {
        var pool = Good() with { ProviderError = "Npgsql rejects: max pool size", ProviderFix = "Rename 'Max Pool Size' to 'Maximum Pool Size'." };
        var f = Evaluate(null, pool).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG001");
        f.Severity.ShouldBe(FindingSeverity.Error);
        f.Fix.ShouldContain("Maximum Pool Size");
    }

    [Fact]
    public void Evaluate_MinimumAboveMaximum_IsError()
    {
        var f = Evaluate(null, Good() with { MinimumPoolSize = 20 }).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG002");
        f.Severity.ShouldBe(FindingSeverity.Error);
    }

    [Fact]
    public void Evaluate_PoolingDisabled_IsWarningAndSkipsPoolRules()
    {
        var f = Evaluate(null, Good() with { Pooling = false, AcquireTimeout = TimeSpan.Zero }).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG003");
        f.Severity.ShouldBe(FindingSeverity.Warning);
    }

    [Fact]
    public void Evaluate_TimeoutZero_IsError()
    {
        var f = Evaluate(null, Good() with { AcquireTimeout = TimeSpan.Zero }).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG004");
        f.Severity.ShouldBe(FindingSeverity.Error);
    }

    [Fact]
    public void Evaluate_ExplicitTimeoutAtOrAboveBudget_IsError()
    {
        var f = Evaluate(new PoolCheckOptions { RequestBudget = TimeSpan.FromSeconds(10) }, Good() with { AcquireTimeout = TimeSpan.FromSeconds(30) }).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG005");
        f.Severity.ShouldBe(FindingSeverity.Error);
        f.Fix.ShouldContain("Timeout=3");
    }

    [Fact]
    public void Evaluate_DefaultTimeoutAboveBudget_IsOnlyWarning()
    {
        var f = Evaluate(null, Good() with { AcquireTimeout = TimeSpan.FromSeconds(15), AcquireTimeoutSet = false }).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG005");
        f.Severity.ShouldBe(FindingSeverity.Warning);
    }

    [Fact]
    public void Evaluate_LifetimeZero_IsWarning()
    {
        Evaluate(null, Good() with { ConnectionLifetime = TimeSpan.Zero }).ShouldHaveSingleItem().RuleId.ShouldBe("LG006");
    }

    [Fact]
    public void Evaluate_LifetimeTenSeconds_IsChurnWarning()
    {
        Evaluate(null, Good() with { ConnectionLifetime = TimeSpan.FromSeconds(10) }).ShouldHaveSingleItem().RuleId.ShouldBe("LG007");
    }

    [Fact]
    public void Evaluate_PoolSizeNotSet_IsWarning()
    {
        Evaluate(null, Good() with { MaximumPoolSizeSet = false, MaximumPoolSize = 100 }).ShouldHaveSingleItem().RuleId.ShouldBe("LG008");
    }

    [Fact]
    public void Evaluate_FleetAboveCoresTimesFour_IsWarning()
    {
        var options = new PoolCheckOptions { DatabaseCores = 2, Instances = 2 }; // 2 × 10 = 20 > 8
        Evaluate(options, Good()).ShouldHaveSingleItem().RuleId.ShouldBe("LG009");
        Evaluate(new PoolCheckOptions { DatabaseCores = 8, Instances = 2 }, Good()).ShouldBeEmpty(); // 20 ≤ 32
    }

    [Fact]
    public void Evaluate_TwoStringsOneServer_IsWarning_DifferentServersAreNot()
    {
        Evaluate(null, Good("Main"), Good("Reports") with { MaximumPoolSize = 5 }).ShouldHaveSingleItem().RuleId.ShouldBe("LG010");
        Evaluate(null, Good("Main"), Good("Reports", "other:5432")).ShouldBeEmpty();
    }

    [Fact]
    public void Evaluate_FleetOverServerBudget_IsErrorWithPerPoolShare()
    {
        // 4 instances × 30 = 120 > 100 − 3 − 7 = 90 -> at most 22 per pool.
        var options = new PoolCheckOptions { Instances = 4, ServerMaxConnections = 100, ReservedConnections = 3, OtherClientConnections = 7 };
        var f = Evaluate(options, Good() with { MaximumPoolSize = 30 }).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG011");
        f.Severity.ShouldBe(FindingSeverity.Error);
        f.Fix.ShouldContain("at most 22");
        Evaluate(options, Good() with { MaximumPoolSize = 22 }).ShouldBeEmpty();
    }

    [Fact]
    public void Evaluate_SeveralPoolsAddUpAgainstBudget()
    {
        // Two pools of 10 on one server, 5 instances = 100 > 97 available.
        var options = new PoolCheckOptions { Instances = 5, ServerMaxConnections = 100, ReservedConnections = 3 };
        var findings = Evaluate(options, Good("A"), Good("B"));
        findings.Select(f => f.RuleId).ShouldBe(["LG011", "LG010"]);
        PoolConfigurationRules.HasErrors(findings).ShouldBeTrue();
    }

    [Fact]
    public void All_RuleIds_AreUniqueAndOrdered()
    {
        var ids = PoolRules.All.Select(r => r.Id).ToList();
        ids.ShouldBeUnique();
        ids.ShouldBe(ids.Order(StringComparer.Ordinal).ToList());
    }
}
