using Lifeguard.Configuration;

namespace Lifeguard.Tests.Configuration;

public sealed class PoolerConfigurationRulesTests
{
    // Passes every rule on its own and behind a transaction-mode PgBouncer 1.21 with prepared statements tracked.
    private static PoolConfiguration App(string server = "bouncer:6432") => new()
    {
        Name = "Main",
        Server = server,
        MaximumPoolSize = 10,
        MaximumPoolSizeSet = true,
        MinimumPoolSize = 2,
        AcquireTimeout = TimeSpan.FromSeconds(3),
        AcquireTimeoutSet = true,
        ConnectionLifetime = TimeSpan.FromHours(1),
        NoResetOnClose = true,
    };

    private static PoolerSettings Transaction(Version? version = null, int? maxPrepared = 200) => new()
    {
        Mode = PoolerMode.Transaction,
        Version = version ?? new Version(1, 21, 0),
        ListenPort = 6432,
        MaxClientConnections = 100,
        DefaultPoolSize = 20,
        MaxPreparedStatements = maxPrepared,
    };

    private static IReadOnlyList<PoolFinding> Evaluate(PoolCheckOptions options, params PoolConfiguration[] pools) =>
        PoolConfigurationRules.Evaluate(pools, options);

    [Fact]
    public void Evaluate_GoodAppBehindTransactionPooler_HasNoFindings()
    {
        Evaluate(new PoolCheckOptions { Instances = 4, Pooler = Transaction(), ServerMaxConnections = 100 }, App()).ShouldBeEmpty();
    }

    [Fact]
    public void Evaluate_Port6432WithoutPooler_WarnsToDeclareIt()
    {
        var f = Evaluate(new PoolCheckOptions(), App()).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG013");
        f.Severity.ShouldBe(FindingSeverity.Warning);
        f.Fix.ShouldContain("--pooler-config");
    }

    [Fact]
    public void Evaluate_TransactionModeWithoutNoResetOnClose_Warns()
    {
        var f = Evaluate(new PoolCheckOptions { Pooler = Transaction() }, App() with { NoResetOnClose = false }).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG014");
        f.Severity.ShouldBe(FindingSeverity.Warning);
        f.Fix.ShouldBe("Add No Reset On Close=true to the connection string.");
    }

    [Fact]
    public void Evaluate_SessionModeWithoutNoResetOnClose_IsFine()
    {
        // Session mode keeps the server connection for the client's whole connection: the reset is Npgsql's normal job.
        Evaluate(new PoolCheckOptions { Pooler = Transaction() with { Mode = PoolerMode.Session } }, App() with { NoResetOnClose = false }).ShouldBeEmpty();
    }

    [Fact]
    public void Evaluate_AutoPrepareThroughPgBouncer118_IsErrorWithBothFixes()
    {
        var f = Evaluate(new PoolCheckOptions { Pooler = Transaction(new Version(1, 18, 0), maxPrepared: null) }, App() with { MaxAutoPrepare = 20 }).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG015");
        f.Severity.ShouldBe(FindingSeverity.Error);
        f.Message.ShouldContain("PgBouncer 1.18.0");
        // max(200, Max Auto Prepare 20) = 200.
        f.Fix.ShouldBe("Set Max Auto Prepare=0, or upgrade PgBouncer to 1.21 or later with max_prepared_statements = 200.");
    }

    [Fact]
    public void Evaluate_AutoPrepareWithMaxPreparedStatementsZero_IsError()
    {
        var f = Evaluate(new PoolCheckOptions { Pooler = Transaction(maxPrepared: 0) }, App() with { MaxAutoPrepare = 300 }).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG015");
        f.Severity.ShouldBe(FindingSeverity.Error);
        f.Fix.ShouldStartWith("Set max_prepared_statements = 300"); // max(200, 300)
    }

    [Fact]
    public void Evaluate_AutoPrepareWithUnknownVersionAndSetting_IsWarning()
    {
        var pooler = Transaction(maxPrepared: null) with { Version = null };
        var f = Evaluate(new PoolCheckOptions { Pooler = pooler }, App() with { MaxAutoPrepare = 20 }).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG015");
        f.Severity.ShouldBe(FindingSeverity.Warning);
    }

    [Fact]
    public void Evaluate_AutoPrepareAbovePoolersLimit_IsWarning()
    {
        var f = Evaluate(new PoolCheckOptions { Pooler = Transaction(maxPrepared: 50) }, App() with { MaxAutoPrepare = 100 }).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG015");
        f.Severity.ShouldBe(FindingSeverity.Warning);
    }

    [Fact]
    public void Evaluate_ExplicitPrepareInSourcesThroughOldPgBouncer_IsErrorNamingTheFile()
    {
        var options = new PoolCheckOptions
        {
            Pooler = Transaction(new Version(1, 18)),
            SessionStateUses = [new SessionStateUse(SessionStateKind.ExplicitPrepare, "Data/Orders.cs", 42, ".Prepare(")],
        };
        var f = Evaluate(options, App()).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG015");
        f.Message.ShouldContain("Data/Orders.cs:42");
        f.Fix.ShouldStartWith("Remove the explicit Prepare calls");
    }

    [Fact]
    public void Evaluate_PreparedStatementsInSessionMode_AreFine()
    {
        Evaluate(new PoolCheckOptions { Pooler = Transaction(new Version(1, 18)) with { Mode = PoolerMode.Session } }, App() with { MaxAutoPrepare = 20 }).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(SessionStateKind.SessionSet, "SET LOCAL")]
    [InlineData(SessionStateKind.AdvisoryLock, "pg_advisory_xact_lock")]
    [InlineData(SessionStateKind.Listen, "dedicated connection")]
    [InlineData(SessionStateKind.TemporaryTable, "ON COMMIT DROP")]
    public void Evaluate_SessionStateInTransactionMode_WarnsWithTheKindsFix(SessionStateKind kind, string fix)
    {
        var options = new PoolCheckOptions
        {
            Pooler = Transaction(),
            SessionStateUses = [new SessionStateUse(kind, "Jobs/Report.cs", 7, "x"), new SessionStateUse(kind, "Jobs/Report.cs", 9, "y")],
        };
        var f = Evaluate(options, App()).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG016");
        f.Severity.ShouldBe(FindingSeverity.Warning);
        f.Subject.ShouldBe("Jobs/Report.cs:7");
        f.Message.ShouldStartWith("2 use(s)");
        f.Fix.ShouldContain(fix);
    }

    [Fact]
    public void Evaluate_SessionStateInSessionMode_IsFine()
    {
        var options = new PoolCheckOptions
        {
            Pooler = Transaction() with { Mode = PoolerMode.Session },
            SessionStateUses = [new SessionStateUse(SessionStateKind.AdvisoryLock, "a.cs", 1, "pg_advisory_lock(")],
        };
        Evaluate(options, App()).ShouldBeEmpty();
    }

    [Fact]
    public void Evaluate_FleetAboveMaxClientConn_IsErrorWithBothNumbers()
    {
        // 12 instances × 10 = 120 clients > max_client_conn 100; 100 / 12 / 1 pool = 8 per pool.
        var f = Evaluate(new PoolCheckOptions { Instances = 12, Pooler = Transaction() }, App()).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG017");
        f.Severity.ShouldBe(FindingSeverity.Error);
        f.Message.ShouldContain("= 120 clients");
        f.Message.ShouldContain("refuses the 20 past it");
        f.Fix.ShouldBe("Set max_client_conn to at least 120 (plus admin and other clients), or Maximum Pool Size to at most 8 per pool.");
    }

    [Fact]
    public void Evaluate_PoolerPoolsAboveServerSlots_IsErrorWithThePerPairSize()
    {
        // 3 pairs × (20 + 5 reserve) = 75 server connections > 60 − 3 reserved − 7 others = 50; 50 / 3 = 16, − 5 reserve = 11.
        var pooler = Transaction() with { PairPoolSizes = [20, 20, 20], ReservePoolSize = 5 };
        var f = Evaluate(new PoolCheckOptions { Pooler = pooler, ServerMaxConnections = 60, ReservedConnections = 3, OtherClientConnections = 7 }, App()).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG018");
        f.Severity.ShouldBe(FindingSeverity.Error);
        f.Message.ShouldContain("may open 75 server connections");
        f.Message.ShouldContain("leaves 50");
        f.Fix.ShouldBe("Set default_pool_size (and each pool_size) to at most 11 with the reserve, or max_db_connections = 16, or raise max_connections to 85.");
    }

    [Fact]
    public void Evaluate_MaxDbConnectionsCapsEachPair()
    {
        // min(20 + 0, max_db_connections 10) × 2 pairs = 20 ≤ 30 − 3 = 27 usable: fits; without the cap 2 × 20 = 40 would not.
        var pooler = Transaction() with { PairPoolSizes = [20, 20], MaxDbConnections = 10 };
        pooler.MaximumServerConnections.ShouldBe(20);
        Evaluate(new PoolCheckOptions { Pooler = pooler, ServerMaxConnections = 30, ReservedConnections = 3 }, App()).ShouldBeEmpty();
    }

    [Fact]
    public void Evaluate_BehindPooler_AppPoolsAreNotComparedWithMaxConnections()
    {
        // 20 instances × 10 = 200 app connections against max_connections 100 would be LG011 straight to the server;
        // behind the pooler they are its clients (max_client_conn 300) and the server sees 20.
        var options = new PoolCheckOptions { Instances = 20, ServerMaxConnections = 100, Pooler = Transaction() with { MaxClientConnections = 300 } };
        Evaluate(options, App()).ShouldBeEmpty();
        Evaluate(new PoolCheckOptions { Instances = 20, ServerMaxConnections = 100 }, App("db:5432")).Single().RuleId.ShouldBe("LG011");
    }

    [Fact]
    public void Evaluate_PoolNotOnThePoolersPort_IsCheckedAsDirect()
    {
        // The reporting string goes straight to PostgreSQL (5432): no pooler rule applies to it, LG011 does.
        var direct = App("db:5432") with { Name = "Reports", NoResetOnClose = false };
        var findings = Evaluate(new PoolCheckOptions { Instances = 20, ServerMaxConnections = 100, Pooler = Transaction() with { MaxClientConnections = 300 } }, App(), direct);
        findings.Select(f => f.RuleId).ShouldBe(["LG011"]);
    }

    [Fact]
    public void Evaluate_SessionModeFleetAbovePoolersPool_WarnsThatTheyQueueInThePooler()
    {
        // Session mode: 4 × 10 = 40 app connections each hold a server connection; pool 20 → 20 wait. 20 / 4 / 1 = 5.
        var pooler = Transaction() with { Mode = PoolerMode.Session };
        var f = Evaluate(new PoolCheckOptions { Instances = 4, Pooler = pooler }, App() with { NoResetOnClose = false }).ShouldHaveSingleItem();
        f.RuleId.ShouldBe("LG019");
        f.Message.ShouldContain("20 wait inside the pooler");
        f.Fix.ShouldContain("Maximum Pool Size to at most 5 per pool");
    }

    [Fact]
    public void Rules_CatalogueHasTheNewIdsInOrder()
    {
        PoolRules.All.Select(r => r.Id).ShouldBe(Enumerable.Range(1, 19).Select(i => $"LG{i:000}"));
    }
}
