using Lifeguard.Configuration;

namespace Lifeguard.Testing.Tests;

public sealed class PoolConfigurationAssertPoolerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("assert-pooler-").FullName;

    private const string BehindBouncer = "Host=bouncer;Port=6432;Database=app;Maximum Pool Size=10;Timeout=3;No Reset On Close=true";

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Ini(string settings)
    {
        var path = Path.Combine(_dir, "pgbouncer.ini");
        File.WriteAllText(path, "[databases]\napp = host=db port=5432 dbname=app\n[pgbouncer]\nlisten_port = 6432\n" + settings);
        return path;
    }

    [Fact]
    public void IsValidBehindPgBouncer_GoodTransactionSetup_DoesNotThrow()
    {
        Should.NotThrow(() => PoolConfigurationAssert.IsValidBehindPgBouncer(BehindBouncer, Ini("pool_mode = transaction\nmax_client_conn = 100\n"),
            new PoolCheckOptions { Instances = 4, ServerMaxConnections = 100 }, warningsAsErrors: true));
    }

    [Fact]
    public void IsValidBehindPgBouncer_AutoPrepareThrough118_ThrowsLG015()
    {
        var e = Should.Throw<PoolConfigurationAssertException>(() => PoolConfigurationAssert.IsValidBehindPgBouncer(
            BehindBouncer + ";Max Auto Prepare=20", Ini("pool_mode = transaction\n"), pgBouncerVersion: new Version(1, 18)));
        e.Findings.ShouldHaveSingleItem().RuleId.ShouldBe("LG015");
    }

    [Fact]
    public void IsValidBehindPgBouncer_PoolerPoolsAboveServerSlots_ThrowsLG018()
    {
        // default_pool_size 50 > max_connections 40 − 3 reserved = 37.
        Should.Throw<PoolConfigurationAssertException>(() => PoolConfigurationAssert.IsValidBehindPgBouncer(
                BehindBouncer, Ini("pool_mode = transaction\ndefault_pool_size = 50\n"), new PoolCheckOptions { ServerMaxConnections = 40, ReservedConnections = 3 }))
            .Findings.Select(f => f.RuleId).ShouldBe(["LG018"]);
    }

    [Fact]
    public void IsValidBehindPgBouncer_SourcesWithSessionSet_WarnsLG016()
    {
        var src = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        File.WriteAllText(Path.Combine(src, "Tenant.cs"), "await db.ExecuteAsync(\"SET search_path = tenant\");");
        var ini = Ini("pool_mode = transaction\n");
        Should.NotThrow(() => PoolConfigurationAssert.IsValidBehindPgBouncer(BehindBouncer, ini, sourceDirectory: src));
        Should.Throw<PoolConfigurationAssertException>(() => PoolConfigurationAssert.IsValidBehindPgBouncer(BehindBouncer, ini, sourceDirectory: src, warningsAsErrors: true))
            .Findings.ShouldHaveSingleItem().RuleId.ShouldBe("LG016");
    }

    [Fact]
    public void HasFinding_WithPoolerInOptions_SeesThePoolerRules()
    {
        var options = new PoolCheckOptions { Pooler = new PoolerSettings { Mode = PoolerMode.Transaction } };
        Should.NotThrow(() => PoolConfigurationAssert.HasFinding(BehindBouncer.Replace(";No Reset On Close=true", "", StringComparison.Ordinal), "LG014", options));
    }
}
