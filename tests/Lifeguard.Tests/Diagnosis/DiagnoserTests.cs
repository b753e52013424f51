using Lifeguard.Diagnosis;

namespace Lifeguard.Tests.Diagnosis;

/// <summary>Each rule from recorded per-second signals: a healthy stretch (the baseline), then the fault's seconds.</summary>
public sealed class DiagnoserTests
{
    private static readonly DateTimeOffset T0 = new(2023, 2, 10, 9, 45, 0, TimeSpan.Zero);

    private static PoolSecond Pool(int inUse = 2, int max = 10, int waiters = 0, double holdP99 = 12, int timeouts = 0, int activeLeaks = 0,
        ConnectionErrorCounts? errors = null) =>
        new() { InUse = inUse, Max = max, Waiters = waiters, Leases = 40, Returned = 40, HoldP50Ms = holdP99 / 3, HoldP99Ms = holdP99,
            WaitP99Ms = waiters > 0 ? 900 : 0.1, Timeouts = timeouts, ActiveLeaks = activeLeaks, Errors = errors ?? ConnectionErrorCounts.None };

    private static ServerSignals Server(int onCpu = 1, double cores = 4, int backends = 20, double rtt = 0.5, int lockWaiters = 0, double lockWait = 0,
        BlockingSession? root = null, IReadOnlyList<StatementSlowdown>? slowed = null, double? cpuUsed = null, double? hostLag = null) =>
        new() { Reachable = true, MaxConnections = 100, ReservedConnections = 3, Backends = backends, Active = onCpu + lockWaiters, ActiveOnCpu = onCpu,
            Cores = cores, CpuCoresUsed = cpuUsed, RoundTripMs = rtt, HostLagMs = hostLag, LockWaiters = lockWaiters, LongestLockWaitSeconds = lockWait, RootBlocker = root,
            SlowedStatements = slowed ?? [], StatementsAvailable = true, SlotHolders = [new SlotHolder("Lifeguard.Website", "app", "10.0.0.5", backends - 1)] };

    private static ServerSignals Down(ConnectionErrorKind kind = ConnectionErrorKind.ServerUnavailable) =>
        new() { Reachable = false, ErrorKind = kind, Error = "57P03 the database system is starting up" };

    /// <summary>Ten healthy seconds, then the given seconds; returns every diagnosis of the fault's seconds.</summary>
    private static List<Lifeguard.Diagnosis.DiagnosisReport> Replay(Diagnoser d, int faultSeconds, Func<int, DiagnosisSample> fault)
    {
        for (var i = 0; i < 10; i++) d.Observe(new DiagnosisSample(T0.AddSeconds(i), Pool(), Server()));
        return Enumerable.Range(0, faultSeconds).Select(i => d.Observe(fault(i))).ToList();
    }

    private static DiagnosisSample At(int second, PoolSecond? pool, ServerSignals? server) => new(T0.AddSeconds(10 + second), pool, server);

    [Fact]
    public void Observe_HealthySeconds_NamesHealthy()
    {
        var d = new Diagnoser();
        var all = Replay(d, 5, i => At(i, Pool(), Server()));
        all.ShouldAllBe(x => x.Cause == DiagnosisCause.Healthy);
        all[^1].Confidence.ShouldBe(1);
    }

    [Fact]
    public void Observe_PoolPinnedWithWaitersFlatHoldsIdleServer_NamesPoolTooSmallAfterSustain()
    {
        var d = new Diagnoser();
        var all = Replay(d, 5, i => At(i, Pool(inUse: 10, waiters: 30, timeouts: i > 2 ? 2 : 0), Server(onCpu: 1, backends: 12)));

        all[1].Cause.ShouldBe(DiagnosisCause.Healthy); // one or two seconds are not a cause yet
        var last = all[^1];
        last.Cause.ShouldBe(DiagnosisCause.PoolTooSmall);
        last.Since.ShouldBe(T0.AddSeconds(10));
        last.Evidence.ShouldContain(e => e.Contains("pinned at the maximum") && e.Contains("30 request(s) waiting"));
        last.Evidence.ShouldContain(e => e.Contains("queries are not slower"));
        last.Evidence.ShouldContain(e => e.Contains("the database has headroom"));
        last.Avoid.ShouldContain("Do not chase slow queries");
    }

    [Theory]
    [InlineData(15, 750, DiagnosisCause.Healthy)]       // the corpus's busy control: 15 waiting on 10 connections, waits under 0.8 s
    [InlineData(40, 750, DiagnosisCause.PoolTooSmall)]  // four per connection: the pool does not keep up
    [InlineData(15, 1500, DiagnosisCause.PoolTooSmall)] // waits users notice
    public void Observe_PoolPinnedByAShallowShortQueue_ReadsItAsABurstThePoolAbsorbs(int waiters, double waitP99, DiagnosisCause expected)
    {
        var d = new Diagnoser();
        var all = Replay(d, 5, i => At(i, Pool(inUse: 10, waiters: waiters) with { WaitP99Ms = waitP99 }, Server(onCpu: 0, backends: 12)));

        all.ShouldAllBe(x => x.Cause == expected || x.Cause != DiagnosisCause.Unknown && expected != DiagnosisCause.Healthy && x.Cause == DiagnosisCause.Healthy);
        all[^1].Cause.ShouldBe(expected);
    }

    [Theory]
    [InlineData(1, true)]   // 1 of 10 leased connections runs a statement: held between statements
    [InlineData(4, true)]
    [InlineData(5, false)]  // half (HeldIdleShare 0.5): the pool, as such
    [InlineData(10, false)]
    public void Observe_PoolPinnedWhileTheServerSeesFewOfTheLeasedConnectionsActive_SaysTheyAreHeldBetweenStatements(int appActive, bool heldIdle)
    {
        var d = new Diagnoser();
        var all = Replay(d, 5, i => At(i, Pool(inUse: 10, waiters: 30), Server(onCpu: 1, backends: 12) with { ApplicationName = "Lifeguard.Website", AppActive = appActive }));
        var last = all[^1];
        last.Cause.ShouldBe(DiagnosisCause.PoolTooSmall); // still the pool: it is what requests wait for
        last.Evidence.Any(e => e.Contains($"{appActive} of the 10 leased connection(s) ran a statement", StringComparison.Ordinal)).ShouldBe(heldIdle);
        last.Remedy.Contains("shorten how long a request holds its connection while no statement runs", StringComparison.Ordinal).ShouldBe(heldIdle);
        last.Remedy.ShouldStartWith("Raise Maximum Pool Size above 10");
        (last.Confidence < 1).ShouldBe(heldIdle);
    }

    [Fact]
    public void Observe_PoolPinnedWithoutTheAppsApplicationName_SaysNothingOfHeldConnections()
    {
        // Without application_name the app's sessions cannot be told from other clients': no claim either way.
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(inUse: 10, waiters: 30), Server(onCpu: 1, backends: 12) with { AppActive = 0 }))[^1];
        last.Cause.ShouldBe(DiagnosisCause.PoolTooSmall);
        last.Evidence.ShouldNotContain(e => e.Contains("leased connection(s) ran a statement", StringComparison.Ordinal));
    }

    [Fact]
    public void Observe_PoolPinnedButHoldsGrewSixfold_NamesSlowQueriesNotThePool()
    {
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(inUse: 10, waiters: 30, holdP99: 80), Server()))[^1];
        last.Cause.ShouldBe(DiagnosisCause.SlowQueries);
        last.Evidence.ShouldContain(e => e.Contains("hold p99 80.0 ms vs 12.0 ms normally"));
    }

    [Theory]
    [InlineData(0, DiagnosisCause.Healthy)]      // held between statements: the app's side (a neighbour starving its host), not the queries
    [InlineData(1, DiagnosisCause.Healthy)]
    [InlineData(4, DiagnosisCause.SlowQueries)]  // every leased connection runs a statement: the queries take the time
    public void Observe_HoldsGrewWithoutASlowerStatement_SlowQueriesOnlyWhenTheServerRunsTheAppsStatements(int appActive, DiagnosisCause expected)
    {
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(inUse: 4, holdP99: 80), Server() with { ApplicationName = "Lifeguard.Website", AppActive = appActive }))[^1];
        last.Cause.ShouldBe(expected);
    }

    [Fact]
    public void Observe_HoldsGrewOnOneRoute_NamesTheOperationTakingTheConnectionTime()
    {
        var d = new Diagnoser();
        OperationHold[] operations = [new("GET /dashboard", 30, 95, 2400, 0.92), new("GET /login", 10, 8, 200, 0.08)];
        var last = Replay(d, 5, i => At(i, Pool(inUse: 10, waiters: 12, holdP99: 90) with { Operations = operations }, Server()))[^1];
        last.Cause.ShouldBe(DiagnosisCause.SlowQueries);
        last.Evidence.ShouldContain("connection-time by operation in the last second: GET /dashboard 92% (30 lease(s), hold p99 95.0 ms); GET /login 8% (10 lease(s), hold p99 8.0 ms)");
    }

    [Fact]
    public void Observe_LockQueueBehindIdleTransaction_NamesLockContentionWithRootBlockerAndPoolAsConsequenceNot()
    {
        var root = new BlockingSession(4242, "idle in transaction", "psql", "ops", "10.0.0.9", 25, 25, "SELECT * FROM orders", 12);
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(inUse: 10, waiters: 40, holdP99: 5000, timeouts: 1), Server(lockWaiters: 12, lockWait: 3 + i, root: root)))[^1];

        last.Cause.ShouldBe(DiagnosisCause.LockContention);
        last.Signals!.Server!.RootBlocker!.Pid.ShouldBe(4242);
        last.Evidence.ShouldContain(e => e.Contains("pid 4242, idle in transaction, transaction open 25.0 s"));
        last.Consequences.ShouldContain(DiagnosisCause.SlowQueries); // holds grew because of the lock, not the queries
        last.Consequences.ShouldNotContain(DiagnosisCause.PoolTooSmall);
        last.Avoid.ShouldContain("every new connection waits on the same lock");
    }

    [Fact]
    public void Observe_LockQueueOfOtherClientsOnly_IsNotTheApplicationsCause()
    {
        var root = new BlockingSession(4242, "idle in transaction", "psql", "ops", "10.0.0.9", 25, 25, "SELECT 1", 2);
        var server = Server(lockWaiters: 2, lockWait: 10, root: root) with { ApplicationName = "Lifeguard.Website", AppLockWaiters = 0 };
        var d = new Diagnoser();
        Replay(d, 5, i => At(i, Pool(), server))[^1].Cause.ShouldBe(DiagnosisCause.Healthy);
        // From the server's side alone (no application) the same queue is named.
        var alone = new Diagnoser();
        Lifeguard.Diagnosis.DiagnosisReport last = null!;
        for (var i = 0; i < 5; i++) last = alone.Observe(At(i, null, server));
        last.Cause.ShouldBe(DiagnosisCause.LockContention);
    }

    [Fact]
    public void Observe_AppGivesUpWithLockTimeoutsBehindARootBlocker_NamesLockContention()
    {
        // With lock_timeout the app's waits never get long: its 55P03 errors stand for them.
        var root = new BlockingSession(99, "idle in transaction", "psql", "ops", "x", 40, 40, "SELECT 1", 1);
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(errors: new ConnectionErrorCounts { LockTimeouts = 5 }), Server(lockWaiters: 1, lockWait: 0.1, root: root)))[^1];
        last.Cause.ShouldBe(DiagnosisCause.LockContention);
        last.Evidence.ShouldContain(e => e.Contains("5 lock timeout(s) (55P03)"));
    }

    [Fact]
    public void Observe_ShortLockWaits_AreNotContention()
    {
        var root = new BlockingSession(7, "active", "app", "app", "x", 0.1, 0.1, "UPDATE t", 1);
        var d = new Diagnoser();
        Replay(d, 5, i => At(i, Pool(), Server(lockWaiters: 1, lockWait: 0.05, root: root)))[^1].Cause.ShouldBe(DiagnosisCause.Healthy);
    }

    [Fact]
    public void Observe_SessionsOnCpuAboveCoresAcrossStatements_NamesDatabaseCpu()
    {
        var d = new Diagnoser();
        var server = Server(onCpu: 9, cores: 4, cpuUsed: 3.9) with { OnCpuBy = [new SlotHolder("nightly-batch", "etl", "10.0.0.7", 8), new SlotHolder("Lifeguard.Website", "app", "10.0.0.5", 1)] };
        var last = Replay(d, 5, i => At(i, Pool(inUse: 10, waiters: 5, holdP99: 60), server))[^1];
        last.Cause.ShouldBe(DiagnosisCause.DatabaseCpu);
        last.Evidence.ShouldContain(e => e.Contains("9 session(s) on CPU against 4 core(s)"));
        last.Evidence.ShouldContain("on CPU: 'nightly-batch' (role etl) 8; 'Lifeguard.Website' (role app) 1");
        last.Evidence.ShouldNotContain(e => e.Contains("10.0.0."), "clients' addresses stay out of evidence");
        last.Consequences.ShouldContain(DiagnosisCause.SlowQueries); // holds grew, but no statement stands out
    }

    [Fact]
    public void Observe_SessionsOnCpuOnAHostWithEveryCpuBusy_NamesDatabaseCpuThoughItsProcessesGetLess()
    {
        var d = new Diagnoser();
        var server = Server(onCpu: 3, cores: 2, cpuUsed: 0.7) with { HostCpuBusy = 0.99 };
        var last = Replay(d, 5, i => At(i, Pool(holdP99: 40), server))[^1];
        last.Cause.ShouldBe(DiagnosisCause.DatabaseCpu);
        last.Evidence.ShouldContain("host: CPUs 99% busy");
    }

    [Fact]
    public void Observe_CauseBelowMinConfidence_UnknownWithTheCandidateUntilTheEvidenceFirmsUp()
    {
        // Held between statements (0.8) at 3 of 5 seconds: 0.48, below 0.5; a second more: 0.64, named (the raw score:
        // the calibrated one is ConfidenceCalibrationTests').
        var d = new Diagnoser(new DiagnosisOptions { MinConfidence = 0.5, CalibrateConfidence = false });
        var all = Replay(d, 5, i => At(i, Pool(inUse: 10, waiters: 30), Server(onCpu: 1, backends: 12) with { ApplicationName = "Lifeguard.Website", AppActive = 0 }));

        all[2].Cause.ShouldBe(DiagnosisCause.Unknown);
        all[2].Confidence.ShouldBe(0.48);
        all[2].Summary.ShouldContain("the leading candidate is pool_too_small");
        all[2].Evidence.ShouldContain(e => e.StartsWith("candidate pool_too_small: held 3 of the last 5 s", StringComparison.Ordinal));
        all[2].Avoid.ShouldContain("Do not act on a candidate yet");
        all[3].Cause.ShouldBe(DiagnosisCause.PoolTooSmall);
        all[3].Confidence.ShouldBe(0.64);
        // Off, the same evidence is named at once.
        Replay(new Diagnoser(new DiagnosisOptions { MinConfidence = 0 }), 5, i => At(i, Pool(inUse: 10, waiters: 30), Server(onCpu: 1, backends: 12) with { ApplicationName = "Lifeguard.Website", AppActive = 0 }))[2].Cause.ShouldBe(DiagnosisCause.PoolTooSmall);
    }

    [Fact]
    public void Observe_AnotherClientBusiesTheCoresButTheAppsHoldsStayFlat_IsNotDatabaseCpu()
    {
        // The accuracy corpus's red herring (control-herring-report-heavy): a report burns the cores, the pages stay fast.
        var d = new Diagnoser();
        var server = Server(onCpu: 2, cores: 2, cpuUsed: 1.6) with { HostCpuBusy = 0.99, OnCpuBy = [new SlotHolder("nightly-report", "etl", "10.0.0.7", 2)] };
        Replay(d, 5, i => At(i, Pool(holdP99: 14), server)).ShouldAllBe(x => x.Cause == DiagnosisCause.Healthy);
        // ... and once the app's holds grow (or its requests queue), the cores are its cause.
        Replay(d, 5, i => At(i, Pool(holdP99: 30), server))[^1].Cause.ShouldBe(DiagnosisCause.DatabaseCpu);
        // Three runnable sessions a core is CPU-bound whatever the app feels yet (the corpus's cpu-surge).
        Replay(new Diagnoser(), 5, i => At(i, Pool(holdP99: 14), server with { ActiveOnCpu = 6 }))[^1].Cause.ShouldBe(DiagnosisCause.DatabaseCpu);
    }

    [Fact]
    public void Observe_CpuOnlySeemsBusyAtTheSamplingInstant_IsNotDatabaseCpu()
    {
        var d = new Diagnoser();
        Replay(d, 5, i => At(i, Pool(), Server(onCpu: 4, cores: 4, cpuUsed: 0.3)))[^1].Cause.ShouldBe(DiagnosisCause.Healthy);
    }

    [Fact]
    public void Observe_DroppedIndexMakesOneStatementSlowAndCpuBusy_NamesSlowQueriesAsRootAndCpuAsConsequence()
    {
        var statement = new StatementSlowdown("-812", "SELECT sum(total) FROM orders WHERE customer = $1", 20, 48, 0.09, 0.93);
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(inUse: 10, waiters: 8, holdP99: 300), Server(onCpu: 6, cores: 4, cpuUsed: 3.8, slowed: [statement])))[^1];

        last.Cause.ShouldBe(DiagnosisCause.SlowQueries);
        last.Consequences.ShouldContain(DiagnosisCause.DatabaseCpu);
        last.Evidence.ShouldContain(e => e.StartsWith("statement -812: mean 48.0 ms vs 0.09 ms before", StringComparison.Ordinal) && e.Contains("WHERE customer"));
    }

    [Theory]
    [InlineData(0.08, 12, DiagnosisCause.Healthy)]      // a monitoring query on a busy host: 8% of the server's time, the app serves as before
    [InlineData(0.6, 12, DiagnosisCause.SlowQueries)]   // most of the server's time: the queries are the cause, whatever the holds say yet
    [InlineData(0.08, 80, DiagnosisCause.SlowQueries)]  // a small share, but the app's holds grew: it hurts the app
    public void Observe_OneStatementSlowerWhileTheAppServesAsBefore_SlowQueriesOnlyWhenItMattersToTheApp(double share, double holdP99, DiagnosisCause expected)
    {
        var statement = new StatementSlowdown("-7021", "SELECT count(*) FROM pg_stat_activity WHERE application_name NOT LIKE $1", 1, 7.5, 0.27, share);
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(holdP99: holdP99), Server(slowed: [statement])))[^1];

        last.Cause.ShouldBe(expected);
    }

    [Fact]
    public void Observe_AnotherClientBurnsCpuAndTheAppsStatementsSlowDown_NamesDatabaseCpuAsRoot()
    {
        // A batch job's statements are still running, so they are not in pg_stat_statements: only the app's look slower.
        var statement = new StatementSlowdown("-812", "SELECT sum(total) FROM orders WHERE customer = $1", 20, 6, 0.7, 0.97);
        var server = Server(onCpu: 4, cores: 2, cpuUsed: 1.9, slowed: [statement]) with { ApplicationName = "Lifeguard.Website", AppActiveOnCpu = 1 };
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(holdP99: 60), server))[^1];

        last.Cause.ShouldBe(DiagnosisCause.DatabaseCpu);
        last.Consequences.ShouldContain(DiagnosisCause.SlowQueries);
    }

    [Fact]
    public void Observe_LeasesHeldPastLeakThreshold_NamesConnectionLeakBeforeThePool()
    {
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(inUse: 10, waiters: 4, activeLeaks: 10), Server()))[^1];
        last.Cause.ShouldBe(DiagnosisCause.ConnectionLeak);
        last.Consequences.ShouldContain(DiagnosisCause.PoolTooSmall);
    }

    [Fact]
    public void Observe_AppSessionsIdleInTransactionForLong_NamesConnectionLeak()
    {
        var d = new Diagnoser();
        var server = Server() with { AppIdleInTransaction = 3, AppLongestIdleInTransactionSeconds = 95 };
        var last = Replay(d, 5, i => At(i, Pool(), server))[^1];
        last.Cause.ShouldBe(DiagnosisCause.ConnectionLeak);
        last.Evidence.ShouldContain(e => e.Contains("3 of the application's sessions idle in transaction, the longest for 95 s"));
    }

    [Fact]
    public void Observe_TooManyConnectionsErrorsWithBackendsAtTheLimit_NamesConnectionLimitWithHolders()
    {
        var d = new Diagnoser();
        var server = Server(backends: 97) with { SlotHolders = [new SlotHolder("batch-export", "etl", "10.0.0.7", 88), new SlotHolder("Lifeguard.Website", "app", "10.0.0.5", 9)] };
        var all = Replay(d, 3, i => At(i, Pool(inUse: 0, errors: new ConnectionErrorCounts { TooManyConnections = 25 }), server));

        all[1].Cause.ShouldBe(DiagnosisCause.ConnectionLimit); // errors are unambiguous: two seconds suffice
        all[^1].Evidence.ShouldContain(e => e.Contains("53300"));
        all[^1].Evidence.ShouldContain(e => e.Contains("'batch-export' (role etl) 88"));
    }

    [Fact]
    public void Observe_OtherClientsTakeTheSlotsAndTheAppsSessionsAreEnded_NamesConnectionLimitNeverUnavailable()
    {
        // The second case: the site's pooled sessions are terminated (57P01 on their next use) and every reopen
        // is refused (53300), while the diagnoser's own connection still reads the server: the server is up, its slots are not.
        var d = new Diagnoser();
        var server = Server(backends: 97) with { SlotHolders = [new SlotHolder("batch-export", "etl", "10.0.0.7", 96)] };
        var all = Replay(d, 5, i => At(i, Pool(inUse: 0, errors: new ConnectionErrorCounts { ServerUnavailable = 4, TooManyConnections = i == 0 ? 0 : 3 }), server));

        all.ShouldAllBe(x => x.Cause != DiagnosisCause.DatabaseUnavailable);
        all[^1].Cause.ShouldBe(DiagnosisCause.ConnectionLimit);
        all[^1].Consequences.ShouldBeEmpty();
        all[^1].Evidence.ShouldContain(e => e.Contains("4 of its sessions ended by the server"));
        all[^1].Evidence.ShouldContain(e => e.Contains("'batch-export' (role etl) 96"));
    }

    [Fact]
    public void Observe_AppsServerUnavailableErrorsWithoutAServerSource_NamesDatabaseUnavailable()
    {
        // Nothing else reads the server: the app's own refused opens are the evidence.
        var d = new Diagnoser();
        for (var i = 0; i < 10; i++) d.Observe(new DiagnosisSample(T0.AddSeconds(i), Pool(), null));
        Lifeguard.Diagnosis.DiagnosisReport last = null!;
        for (var i = 0; i < 3; i++) last = d.Observe(At(i, Pool(inUse: 0, errors: new ConnectionErrorCounts { ServerUnavailable = 9 }), null));
        last.Cause.ShouldBe(DiagnosisCause.DatabaseUnavailable);
        last.Evidence.ShouldContain(e => e.Contains("9 database call(s) failed"));
    }

    [Fact]
    public void Observe_SlotsFullWithoutRefusedOpensYet_NamesConnectionLimitWithLowerConfidence()
    {
        // The rule's own strength (raw score): the calibrated confidence is the hit rate the corpus measured, and the
        // corpus's full-server seconds (fleet-two's among them) were all right, so it states them as near certain.
        var d = new Diagnoser(new DiagnosisOptions { CalibrateConfidence = false });
        var last = Replay(d, 5, i => At(i, Pool(), Server(backends: 97)))[^1];
        last.Cause.ShouldBe(DiagnosisCause.ConnectionLimit);
        last.Evidence.ShouldContain(e => e.Contains("97 of 97 usable connection slots taken (max_connections 100, 3 reserved)"));
        last.Confidence.ShouldBeLessThan(1);
    }

    [Fact]
    public void Observe_ServerRestarted_SaysSoInTheEvidenceOnceHealthyAgain()
    {
        var d = new Diagnoser(new DiagnosisOptions { HistorySeconds = 30 });
        var started = T0.AddSeconds(12);
        var down = Replay(d, 3, i => At(i, Pool(inUse: 0, errors: new ConnectionErrorCounts { ServerUnavailable = 5 }), Down()));
        down[^1].Evidence.ShouldNotContain(e => e.Contains("restarted"));
        var back = d.Observe(At(3, Pool(), Server() with { StartedAt = started, Restarted = true }));
        for (var i = 4; i < 10; i++) back = d.Observe(At(i, Pool(), Server() with { StartedAt = started }));

        back.Cause.ShouldBe(DiagnosisCause.Healthy);
        back.Evidence.ShouldContain("server: restarted, postmaster started at 2023-02-10 09:45:12Z (7 s ago)");
        // Past the history's length the restart is old news.
        for (var i = 10; i < 45; i++) back = d.Observe(At(i, Pool(), Server() with { StartedAt = started }));
        back.Evidence.ShouldNotContain(e => e.Contains("restarted"));
    }

    [Fact]
    public void Observe_ServerDownThenBack_NamesDatabaseUnavailableThenHealthyAgain()
    {
        var d = new Diagnoser();
        var changes = new List<(DiagnosisCause From, DiagnosisCause To)>();
        d.CauseChanged += (from, to) => changes.Add((from.Cause, to.Cause));
        var down = Replay(d, 4, i => At(i, Pool(inUse: 0, errors: new ConnectionErrorCounts { ServerUnavailable = 30 }), Down()));
        down[^1].Cause.ShouldBe(DiagnosisCause.DatabaseUnavailable);
        down[^1].Evidence.ShouldContain(e => e.Contains("57P03"));

        Lifeguard.Diagnosis.DiagnosisReport back = down[^1];
        for (var i = 4; i < 10; i++) back = d.Observe(At(i, Pool(), Server()));
        back.Cause.ShouldBe(DiagnosisCause.Healthy);
        changes.ShouldBe([(DiagnosisCause.Healthy, DiagnosisCause.DatabaseUnavailable), (DiagnosisCause.DatabaseUnavailable, DiagnosisCause.Healthy)]);
    }

    [Fact]
    public void Observe_RoundTripGrewWhileServerIdle_NamesNetworkLatency()
    {
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(holdP99: 70), Server(rtt: 40)))[^1];
        last.Cause.ShouldBe(DiagnosisCause.NetworkLatency);
        last.Evidence.ShouldContain(e => e.Contains("40.0 ms vs 0.5 ms normally"));
        last.Avoid.ShouldContain("time is spent on the wire");
    }

    [Fact]
    public void Observe_RoundTripAndHoldsGrewWithTheHostsOwnTimerLate_NeitherNetworkNorSlowQueries()
    {
        // The sampling host is CPU-starved (a 1 ms timer runs 25 ms late): the round trip and the holds grow with it; neither
        // the wire nor the queries are slower, so neither network_latency nor slow_queries.
        var d = new Diagnoser();
        var all = Replay(d, 5, i => At(i, Pool(holdP99: 70), Server(rtt: 40, hostLag: 25)));
        all.ShouldAllBe(x => x.Cause == DiagnosisCause.Healthy);
    }

    [Fact]
    public void Observe_RoundTripGrewFarBeyondTheHostsTimerLag_NamesNetworkLatencyWithTheLag()
    {
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(holdP99: 70), Server(rtt: 60, hostLag: 4)))[^1];
        last.Cause.ShouldBe(DiagnosisCause.NetworkLatency);
        last.Evidence.ShouldContain(e => e.Contains("a 1 ms timer ran 4.0 ms late"));
    }

    [Fact]
    public void Observe_TimeoutsWithoutAnyExplainingSignal_NamesUnknown()
    {
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(inUse: 3, errors: new ConnectionErrorCounts { Other = 4 }), Server()))[^1];
        last.Cause.ShouldBe(DiagnosisCause.Unknown);
        last.Evidence.ShouldContain(e => e.Contains("4 database error(s) of no diagnosed kind"));
    }

    [Fact]
    public void Observe_RequestsWaitWhileTheDatabaseIdlesOnABusyHost_UnknownPointsAtTheApplicationSide()
    {
        // As seen under `lifeguard load` on a 2-core machine running load, site and database: the pool is not pinned at
        // the second's snapshot (hand-offs lag), requests wait, nobody runs on the database, the host is saturated.
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(inUse: 5, max: 8, waiters: 15),
            Server(onCpu: 0, cores: 2, hostLag: 2.5) with { ApplicationName = "Lifeguard.Website", AppActive = 0, HostCpuBusy = 0.98 }))[^1];
        last.Cause.ShouldBe(DiagnosisCause.Unknown);
        last.Evidence.ShouldContain(e => e.Contains("0 of the 5 leased connection(s) ran a statement"));
        last.Evidence.ShouldContain(e => e.Contains("host: CPUs 98% busy"));
        last.Evidence.ShouldContain(e => e.Contains("a 1 ms timer ran 2.5 ms late"));
        last.Remedy.ShouldStartWith("The database is idle while requests wait: look at the application side first");
    }

    [Fact]
    public void Observe_UnknownWithTheAppsSessionsBusyOnAnIdleHost_KeepsTheGeneralRemedy()
    {
        var d = new Diagnoser();
        var last = Replay(d, 5, i => At(i, Pool(inUse: 3, errors: new ConnectionErrorCounts { Other = 4 }),
            Server() with { ApplicationName = "Lifeguard.Website", AppActive = 3, HostCpuBusy = 0.2 }))[^1];
        last.Cause.ShouldBe(DiagnosisCause.Unknown);
        last.Evidence.ShouldNotContain(e => e.Contains("leased connection(s) ran a statement"));
        last.Remedy.ShouldStartWith("Read the history on /lifeguard");
    }

    [Fact]
    public void Observe_PoolOnlyWithoutServerSource_StillNamesPoolTooSmallWithLowerConfidence()
    {
        var d = new Diagnoser();
        for (var i = 0; i < 10; i++) d.Observe(new DiagnosisSample(T0.AddSeconds(i), Pool(), null));
        Lifeguard.Diagnosis.DiagnosisReport last = null!;
        for (var i = 0; i < 5; i++) last = d.Observe(At(i, Pool(inUse: 10, waiters: 20), null));
        last.Cause.ShouldBe(DiagnosisCause.PoolTooSmall);
        last.Confidence.ShouldBeLessThan(1);
    }

    [Fact]
    public void History_KeepsOneEntryPerSecondUpToTheLimit()
    {
        var d = new Diagnoser(new DiagnosisOptions { HistorySeconds = 10 });
        Replay(d, 5, i => At(i, Pool(inUse: 10, waiters: 30), Server()));
        var history = d.History();
        history.Count.ShouldBe(10);
        history[^1].Cause.ShouldBe(DiagnosisCause.PoolTooSmall);
        history[^1].Waiters.ShouldBe(30);
        history[0].At.ShouldBe(T0.AddSeconds(5));
    }

    // A pool fault that shows in some seconds only (a noisy host: a second the queue drains, a second it fills).
    private static DiagnosisSample PoolSecondOrHealthy(int i, bool fault) =>
        fault ? At(i, Pool(inUse: 10, waiters: 30), Server(onCpu: 1, backends: 12)) : At(i, Pool(), Server());

    [Fact]
    public void Observe_NamedCauseHoldingInEverySecondSecond_StaysNamed()
    {
        bool[] pattern = [true, true, true, false, true, false, true, false, true, false];
        var steady = Replay(new Diagnoser(), pattern.Length, i => PoolSecondOrHealthy(i, pattern[i]));
        steady.Skip(2).ShouldAllBe(x => x.Cause == DiagnosisCause.PoolTooSmall);
        steady[^1].Since.ShouldBe(T0.AddSeconds(10), "one episode, not several");

        // Without the hysteresis (stay = sustain) the same seconds flicker: what a watch on a busy host showed.
        var flicker = Replay(new Diagnoser(new DiagnosisOptions { StaySeconds = 3 }), pattern.Length, i => PoolSecondOrHealthy(i, pattern[i]));
        flicker.Skip(2).Select(x => x.Cause).Distinct().Count().ShouldBeGreaterThan(1);
    }

    [Fact]
    public void Observe_FaultEnds_HealthyOnceTheCauseHoldsInFewerThanTheStaySeconds()
    {
        var all = Replay(new Diagnoser(), 10, i => PoolSecondOrHealthy(i, i < 5));
        all[4].Cause.ShouldBe(DiagnosisCause.PoolTooSmall);
        all[7].Cause.ShouldBe(DiagnosisCause.PoolTooSmall); // 2 of the last 5 seconds
        all[8].Cause.ShouldBe(DiagnosisCause.Healthy);     // 1 of 5
        all[9].Cause.ShouldBe(DiagnosisCause.Healthy);
    }

    [Fact]
    public void Observe_CauseNeverNamed_NeedsTheFullSustainNotTheStay()
    {
        var all = Replay(new Diagnoser(), 9, i => PoolSecondOrHealthy(i, i % 3 == 0)); // at most 2 of any 5 seconds
        all.ShouldNotContain(x => x.Cause == DiagnosisCause.PoolTooSmall);
    }

    private static PoolerSignals Pooler(int waiting = 7, int active = 1, int poolSize = 1, double maxWait = 0.005, int clients = 9, int maxClients = 100,
        IReadOnlyList<PoolerHolder>? holders = null, int? maxDb = null, int dbConnections = 1) =>
        new() { Reachable = true, Address = "127.0.0.1:6432", Database = "site", User = "app", PoolMode = "transaction", PoolSize = poolSize, ClientsWaiting = waiting,
            ClientsActive = active, ServersActive = active, MaxWaitSeconds = maxWait, ClientConnections = clients, MaxClientConnections = maxClients,
            Holders = holders ?? [], MaxDbConnections = maxDb, DatabaseServerConnections = dbConnections };

    private static DiagnosisSample WithPooler(DiagnosisSample sample, PoolerSignals pooler) => sample with { Pooler = pooler };

    [Fact]
    public void Observe_PoolersPoolTooSmallWhileTheAppsPoolIsPinned_NamesPoolerSaturatedWithTheNumberNotPoolTooSmall()
    {
        // The reading: the app's pool pinned with waiters, queries flat, the server idle, and PgBouncer's pool of 1
        // with 7 clients waiting a few ms each. The queue that holds the requests is the pooler's.
        var all = Replay(new Diagnoser(), 6, i => WithPooler(At(i, Pool(inUse: 8, max: 8, waiters: 4), Server(onCpu: 0, backends: 4)), Pooler()));

        all.ShouldNotContain(x => x.Cause == DiagnosisCause.PoolTooSmall);
        var last = all[^1];
        last.Cause.ShouldBe(DiagnosisCause.PoolerSaturated);
        last.Evidence.ShouldContain(e => e.Contains("7 client(s) of site/app waiting inside pgbouncer") && e.Contains("(cl_waiting)"));
        last.Evidence.ShouldContain(e => e.Contains("1 of 1 server connection(s) of the pool active (sv_active"));
        last.Evidence.ShouldContain(e => e.Contains("93 free") && e.Contains("headroom")); // 97 usable - 4 backends
        last.Remedy!.ShouldContain("from 1 to 8"); // the 1 active + 7 waiting served at once, well within 93 free slots
        last.Avoid!.ShouldContain("Do not grow the application's pool");
    }

    [Fact]
    public void Observe_PoolersPoolWantsMoreThanTheServerHasFree_RemedyStaysWithinTheFreeSlots()
    {
        var all = Replay(new Diagnoser(), 6, i => WithPooler(At(i, Pool(inUse: 8, max: 8, waiters: 4), Server(onCpu: 0, backends: 92)), Pooler(waiting: 40, maxWait: 2)));

        all[^1].Cause.ShouldBe(DiagnosisCause.PoolerSaturated);
        all[^1].Remedy!.ShouldContain("from 1 to 6"); // 97 usable - 92 taken = 5 free: 1 + 5
    }

    [Fact]
    public void Observe_ALongTransactionHoldsThePoolersServerConnections_NamesTheHolder()
    {
        var holder = new PoolerHolder(4242, "report-job", "10.0.0.9:50211", 39, "SELECT pg_sleep($1)");
        var all = Replay(new Diagnoser(), 6, i => WithPooler(At(i, Pool(inUse: 4, max: 8), Server(onCpu: 0, backends: 6)),
            Pooler(waiting: 57, active: 2, poolSize: 2, maxWait: 39, holders: [holder, holder with { ServerPid = 4243 }])));

        var last = all[^1];
        last.Cause.ShouldBe(DiagnosisCause.PoolerSaturated);
        last.Summary.ShouldContain("held by a long transaction: server pid 4242 (application 'report-job')");
        last.Evidence.ShouldContain(e => e.StartsWith("holder: server pid 4242, application 'report-job', client 10.0.0.9:50211, running 39 s: SELECT pg_sleep($1)"));
        last.Remedy!.ShouldContain("pg_terminate_backend(4242)");
    }

    [Fact]
    public void Observe_HeldPoolerAndTheReaderThroughItTimesOut_NamesPoolerSaturatedNotDatabaseUnavailable()
    {
        // The diagnoser's own connection queues in the pooler too: its sample fails, but the pooler's server connections are up.
        var readerTimedOut = Down() with { ReadThroughPooler = true, Error = "Timeout during reading attempt" };
        var appTimeouts = new ConnectionErrorCounts { ServerUnavailable = 3 };
        var all = Replay(new Diagnoser(), 6, i => WithPooler(At(i, Pool(inUse: 4, max: 8, errors: appTimeouts), readerTimedOut),
            Pooler(waiting: 57, active: 2, poolSize: 2, maxWait: 39)));

        all.ShouldNotContain(x => x.Cause == DiagnosisCause.DatabaseUnavailable);
        all[^1].Cause.ShouldBe(DiagnosisCause.PoolerSaturated);
        all[^1].Evidence.ShouldContain(e => e.Contains("read through the pooler"));
    }

    [Fact]
    public void Observe_ServerDownBehindAQueueingPooler_IsStillDatabaseUnavailable()
    {
        // Read directly, the server does not answer: the pooler queues because the server is gone (no server connection up).
        var all = Replay(new Diagnoser(), 6, i => WithPooler(At(i, Pool(inUse: 4, max: 8), Down()), Pooler(waiting: 20, active: 0, maxWait: 3)));

        all[^1].Cause.ShouldBe(DiagnosisCause.DatabaseUnavailable);
    }

    [Fact]
    public void Observe_PoolerAtMaxClientConn_NamesPoolerSaturatedAndTheLimit()
    {
        var all = Replay(new Diagnoser(), 6, i => WithPooler(At(i, Pool(inUse: 8, max: 8), Server(onCpu: 0, backends: 6)), Pooler(waiting: 0, active: 2, poolSize: 20, clients: 100)));

        all[^1].Cause.ShouldBe(DiagnosisCause.PoolerSaturated);
        all[^1].Summary.ShouldContain("refuses new clients");
        all[^1].Evidence.ShouldContain(e => e.Contains("100 client connection(s) of max_client_conn 100"));
    }

    [Fact]
    public void Observe_PoolerAtMaxDbConnections_SaysTheDatabaseCapInEvidenceAndRemedy()
    {
        var all = Replay(new Diagnoser(), 6, i => WithPooler(At(i, Pool(inUse: 8, max: 8, waiters: 2), Server(onCpu: 0, backends: 12)),
            Pooler(waiting: 6, active: 10, poolSize: 20, maxWait: 0.5, maxDb: 10, dbConnections: 10)));

        all[^1].Cause.ShouldBe(DiagnosisCause.PoolerSaturated);
        all[^1].Evidence.ShouldContain(e => e.Contains("at max_db_connections 10"));
        all[^1].Remedy!.ShouldContain("max_db_connections 10 caps every pair");
    }

    [Fact]
    public void Observe_PoolerClientWaitsMillisecondsWhileTheAppDoesNotQueue_StaysHealthy()
    {
        // A pool working as designed: now and then a client waits a few ms for one of the pooler's server connections.
        var all = Replay(new Diagnoser(), 6, i => WithPooler(At(i, Pool(inUse: 3, max: 8), Server()), Pooler(waiting: 1, active: 2, poolSize: 2, maxWait: 0.013)));

        all.ShouldAllBe(x => x.Cause == DiagnosisCause.Healthy);
    }

    [Fact]
    public void All_HasExactlyTheElevenCauseNames()
    {
        DiagnosisCauses.All.ShouldBe(["healthy", "pool_too_small", "slow_queries", "database_cpu", "connection_leak", "lock_contention",
            "connection_limit", "network_latency", "database_unavailable", "unknown", "pooler_saturated"]);
    }

    [Fact]
    public void Cause_OnTheWire_ItsSnakeCaseNameWhateverTheOptions()
    {
        foreach (var cause in Enum.GetValues<DiagnosisCause>())
        {
            var name = DiagnosisCauses.NameOf(cause);
            System.Text.Json.JsonSerializer.Serialize(cause).ShouldBe($"\"{name}\"");
            System.Text.Json.JsonSerializer.Serialize(cause, Lifeguard.Contracts.ContractJson.Options).ShouldBe($"\"{name}\"");
            System.Text.Json.JsonSerializer.Deserialize<DiagnosisCause>($"\"{name}\"").ShouldBe(cause);
            DiagnosisCauses.TryParse(name, out var parsed).ShouldBeTrue();
            parsed.ShouldBe(cause);
        }
        Enum.GetValues<DiagnosisCause>().Select(DiagnosisCauses.NameOf).ShouldBe(DiagnosisCauses.All);
        DiagnosisCauses.TryParse("PoolTooSmall", out _).ShouldBeFalse();
    }
}
