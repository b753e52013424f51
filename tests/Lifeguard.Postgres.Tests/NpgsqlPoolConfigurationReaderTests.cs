using Lifeguard.Configuration;

namespace Lifeguard.Postgres.Tests;

public sealed class NpgsqlPoolConfigurationReaderTests
{
    [Fact]
    public void Read_MaxPoolSizeKeyword_IsRejectedByNpgsql10WithRenameFix()
    {
        // Verified against Npgsql 10.0.3: "Max Pool Size" throws "Couldn't set max pool size".
        var pool = NpgsqlPoolConfigurationReader.Read("Main", "Host=db;Max Pool Size=50");
        pool.ProviderError.ShouldNotBeNull();
        pool.ProviderError.ShouldContain("max pool size");
        pool.ProviderFix.ShouldBe("Rename 'max pool size' to 'Maximum Pool Size' (the keyword Npgsql accepts).");
        PoolConfigurationRules.Evaluate([pool], new PoolCheckOptions()).ShouldHaveSingleItem().RuleId.ShouldBe("LG001");
    }

    [Fact]
    public void Read_PoolerKeywords_AreMappedWithNpgsqlsDefaults()
    {
        var set = NpgsqlPoolConfigurationReader.Read("Main", "Host=bouncer;Port=6432;No Reset On Close=true;Max Auto Prepare=20");
        (set.NoResetOnClose, set.MaxAutoPrepare, set.Server).ShouldBe((true, 20, "bouncer:6432"));
        var defaults = NpgsqlPoolConfigurationReader.Read("Main", "Host=db");
        (defaults.NoResetOnClose, defaults.MaxAutoPrepare).ShouldBe((false, 0));
    }

    [Fact]
    public void Read_UnknownKeyword_SaysRemoveIt()
    {
        var pool = NpgsqlPoolConfigurationReader.Read("Main", "Host=db;Bogus=1");
        pool.ProviderFix.ShouldNotBeNull();
        pool.ProviderFix.ShouldContain("no such keyword");
    }

    [Fact]
    public void Read_TimeoutBeyondNpgsqlRange_IsRejected()
    {
        // Npgsql caps Timeout at 1024 s.
        NpgsqlPoolConfigurationReader.Read("Main", "Host=db;Timeout=2000").ProviderError.ShouldNotBeNull();
    }

    [Fact]
    public void Read_ExplicitSettings_AreMappedAndMarkedExplicit()
    {
        var pool = NpgsqlPoolConfigurationReader.Read("Main", "Host=DB.example;Port=6432;Database=app;Maximum Pool Size=12;Minimum Pool Size=3;Timeout=4;Connection Lifetime=600");
        pool.ProviderError.ShouldBeNull();
        pool.Server.ShouldBe("db.example:6432");
        pool.Database.ShouldBe("app");
        pool.MaximumPoolSize.ShouldBe(12);
        pool.MaximumPoolSizeSet.ShouldBeTrue();
        pool.MinimumPoolSize.ShouldBe(3);
        pool.AcquireTimeout.ShouldBe(TimeSpan.FromSeconds(4));
        pool.AcquireTimeoutSet.ShouldBeTrue();
        pool.ConnectionLifetime.ShouldBe(TimeSpan.FromMinutes(10));
    }

    [Fact]
    public void Read_Defaults_AreNpgsqlDefaultsAndNotExplicit()
    {
        var pool = NpgsqlPoolConfigurationReader.Read("Main", "Host=db");
        pool.MaximumPoolSize.ShouldBe(100);
        pool.MaximumPoolSizeSet.ShouldBeFalse();
        pool.AcquireTimeout.ShouldBe(TimeSpan.FromSeconds(15));
        pool.AcquireTimeoutSet.ShouldBeFalse();
        var findings = PoolConfigurationRules.Evaluate([pool], new PoolCheckOptions());
        findings.Select(f => f.RuleId).ShouldBe(["LG005", "LG008"]);
        PoolConfigurationRules.HasErrors(findings).ShouldBeFalse();
    }

    [Fact]
    public void Read_MinAboveMax_ParsesButRuleCatchesIt()
    {
        // NpgsqlConnectionStringBuilder accepts this; NpgsqlDataSource.Create would throw at startup.
        var pool = NpgsqlPoolConfigurationReader.Read("Main", "Host=db;Minimum Pool Size=10;Maximum Pool Size=5;Timeout=3");
        pool.ProviderError.ShouldBeNull();
        PoolConfigurationRules.Evaluate([pool], new PoolCheckOptions()).ShouldContain(f => f.RuleId == "LG002");
    }

    [Fact]
    public void Read_SynonymMaxPoolSize_CountsAsExplicit()
    {
        NpgsqlPoolConfigurationReader.Read("Main", "Host=db;MaxPoolSize=7").MaximumPoolSizeSet.ShouldBeTrue();
    }
}
