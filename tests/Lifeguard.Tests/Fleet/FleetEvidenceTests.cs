using Lifeguard.Diagnosis;
using Lifeguard.Fleet;

namespace Lifeguard.Tests.Fleet;

/// <summary>connection_limit with the fleet's evidence, through the one diagnoser: the refused instance and the one that
/// holds the slots while its sibling is refused.</summary>
public sealed class FleetEvidenceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 19, 0, 0, TimeSpan.Zero);

    private static FleetSignals Fleet(string self, int refusedA, int refusedB) => new()
    {
        Self = "web/" + self,
        Instances =
        [
            new() { Service = "web", Instance = "b", PoolMax = 60, InUse = 42, SlotsHeld = 52, Refused = refusedB, Wanted = 20 },
            new() { Service = "web", Instance = "a", PoolMax = 60, InUse = 40, Waiting = 30, SlotsHeld = 41, Refused = refusedA, Wanted = 60 },
        ],
        Budget = FleetBudget.Of(97, 97, [new() { Service = "web", Instance = "b", PoolMax = 60, SlotsHeld = 52 }, new() { Service = "web", Instance = "a", PoolMax = 60, SlotsHeld = 41 }]),
    };

    private static ServerSignals Server(FleetSignals? fleet, int backends) => new()
    {
        Reachable = true, MaxConnections = 100, ReservedConnections = 3, Backends = backends, Cores = 4, StatementsAvailable = true,
        SlotHolders = [new SlotHolder("web/b", "app", "10.0.0.6", 52), new SlotHolder("web/a", "app", "10.0.0.5", 41), new SlotHolder("lifeguard-diagnoser", "app", "10.0.0.5", 2)],
        Fleet = fleet,
    };

    private static PoolSecond Pool(int inUse, int refused = 0, int waiters = 0) => new()
    {
        InUse = inUse, Max = 60, Waiters = waiters, Leases = 100, Returned = 100, HoldP50Ms = 20, HoldP99Ms = 300,
        Errors = new ConnectionErrorCounts { TooManyConnections = refused },
    };

    private static DiagnosisReport Run(Func<int, DiagnosisSample> second)
    {
        var d = new Diagnoser();
        for (var i = 0; i < 10; i++) d.Observe(new DiagnosisSample(T0.AddSeconds(i), Pool(2), Server(null, 10)));
        DiagnosisReport last = d.Current;
        for (var i = 0; i < 6; i++) last = d.Observe(second(10 + i));
        return last;
    }

    // A governed instance: its guard's maximum is the governor's cap (4) below its pool's 60; its requests queue there.
    private static FleetSignals Governed(int cap, int wanted) => Fleet("a", 0, 0) with
    {
        Governor = new FleetGovernorState { Share = cap, Cap = cap, Claim = cap, Wanted = wanted, Budget = 12, Reason = "its share" },
    };

    [Fact]
    public void Observe_GovernedInstanceQueueingOnItsCap_NamesTheFleetsSlotsNeverAPoolTooSmall()
    {
        // Seen in the fleet drill: pinned at the cap with requests waiting read pool_too_small, "raise Maximum Pool Size
        // above 4", for a pool of 60 the governor holds to its share of the server's slots.
        var last = Run(i => new DiagnosisSample(T0.AddSeconds(i), Pool(4, waiters: 9) with { Max = 4, WaitP99Ms = 900 }, Server(Governed(4, 7), 40)));

        last.Cause.ShouldBe(DiagnosisCause.ConnectionLimit);
        last.Summary.ShouldContain("the governor holds this instance to its share");
        last.Evidence.ShouldContain(e => e.StartsWith("fleet: the governor caps this instance at 4 of its pool's 60 connection(s)", StringComparison.Ordinal) && e.Contains("its load needs 7") && e.Contains("9 request(s) wait here"));
        last.Remedy.ShouldContain("Raising Maximum Pool Size changes nothing");
        last.Remedy.ShouldNotContain("Raise Maximum Pool Size");
    }

    [Fact]
    public void Observe_GovernedInstanceWithAShallowShortQueue_IsABurstNotTheFleet()
    {
        // As without the governor: a queue the pool absorbs at once (at most 1.5 per connection, wait p99 under 800 ms).
        Run(i => new DiagnosisSample(T0.AddSeconds(i), Pool(4, waiters: 5) with { Max = 4, WaitP99Ms = 200 }, Server(Governed(4, 5), 40))).Cause.ShouldBe(DiagnosisCause.Healthy);
    }

    [Fact]
    public void Observe_SameQueueWithoutTheGovernor_IsThePoolTooSmall()
    {
        // The control: the same pinned, queueing pool with its own maximum at 4 and no governor is the pool's size.
        var last = Run(i => new DiagnosisSample(T0.AddSeconds(i), Pool(4, waiters: 9) with { Max = 4, WaitP99Ms = 900 }, Server(Fleet("a", 0, 0) with { Instances = [new() { Service = "web", Instance = "a", PoolMax = 4 }] }, 40)));

        last.Cause.ShouldBe(DiagnosisCause.PoolTooSmall);
    }

    [Fact]
    public void Observe_RefusedInstanceOfAnOversubscribedFleet_NamesTheFleetTheHolderAndTheSizeThatFits()
    {
        var last = Run(i => new DiagnosisSample(T0.AddSeconds(i), Pool(40, refused: 96, waiters: 30), Server(Fleet("a", 96, 0), 96)));

        last.Cause.ShouldBe(DiagnosisCause.ConnectionLimit);
        last.Evidence.ShouldContain(e => e.Contains("2 instance(s) oversubscribe the server") && e.Contains("120 connection(s)") && e.Contains("93 for them"));
        last.Evidence.ShouldContain(e => e.StartsWith("fleet: most slots held by: 'web/b' 52", StringComparison.Ordinal));
        last.Evidence.ShouldContain(e => e.Contains("at most 46 per instance fits") && e.Contains("'web/a' 60 (needs 60)") && e.Contains("'web/b' 33 (needs 20)"));
        last.Evidence.ShouldContain(e => e == "slots held by service: 'web' 93 (2 instance(s))");
        last.Remedy.ShouldContain("at most 46");
    }

    [Fact]
    public void Observe_InstanceHoldingSlotsWhileItsSiblingIsRefused_IsNotHealthy()
    {
        // b holds the slots but is never refused itself, and the server shows a few free slots: without the fleet it reads healthy.
        var last = Run(i => new DiagnosisSample(T0.AddSeconds(i), Pool(42), Server(Fleet("b", 96, 0), 90)));

        last.Cause.ShouldBe(DiagnosisCause.ConnectionLimit);
        last.Summary.ShouldContain("sibling instances are refused");
        last.Evidence.ShouldContain(e => e.StartsWith("fleet: your siblings are refused: 'web/a' 96 refused open(s)", StringComparison.Ordinal) && e.Contains("holds 52 slot(s)"));
        last.Evidence.ShouldContain(e => e.Contains("'web/b' (this instance) 52"));
    }

    [Fact]
    public void Observe_SameSecondsWithoutTheFleet_ReadsHealthy()
    {
        // The control: the same instance without a fleet reading is healthy, so the fleet evidence is what names the cause.
        Run(i => new DiagnosisSample(T0.AddSeconds(i), Pool(42), Server(null, 90))).Cause.ShouldBe(DiagnosisCause.Healthy);
    }

    [Fact]
    public void Observe_SiblingsNoLongerRefused_BackToHealthy()
    {
        var d = new Diagnoser();
        for (var i = 0; i < 10; i++) d.Observe(new DiagnosisSample(T0.AddSeconds(i), Pool(42), Server(Fleet("b", 96, 0), 90)));
        DiagnosisReport last = d.Current;
        for (var i = 10; i < 40; i++) last = d.Observe(new DiagnosisSample(T0.AddSeconds(i), Pool(42), Server(Fleet("b", 0, 0), 90)));
        last.Cause.ShouldBe(DiagnosisCause.Healthy);
    }
}
