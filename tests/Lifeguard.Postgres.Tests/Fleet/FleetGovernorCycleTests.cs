using Lifeguard.Fleet;
using Lifeguard.Postgres.Fleet;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeguard.Postgres.Tests.Fleet;

/// <summary>The governor's ordering around a heartbeat, with a recording pool in place of the guard (pure: no server).</summary>
public sealed class FleetGovernorCycleTests
{
    private const string Service = "svc";

    [Fact]
    public void Start_FreshProcess_CapsAtZeroUntilItHasClaimed()
    {
        var pool = new RecordingPool(max: 10);
        var cycle = new FleetGovernorCycle(pool, reserve: 0, NullLogger.Instance);
        cycle.Start();
        pool.Cap.ShouldBe(0);
        cycle.Claim.ShouldBe(0);
    }

    [Fact]
    public void Start_HoldingConnections_ClaimsWhatItHolds()
    {
        var pool = new RecordingPool(max: 10) { Leased = 2 };
        var cycle = new FleetGovernorCycle(pool, reserve: 0, NullLogger.Instance);
        cycle.Start();
        pool.Cap.ShouldBe(2);
        cycle.Claim.ShouldBe(2);
    }

    [Fact]
    public void BeforeCommit_Raise_EnforcedOnlyAfterTheCommit()
    {
        var pool = new RecordingPool(max: 10);
        var cycle = new FleetGovernorCycle(pool, reserve: 0, NullLogger.Instance);
        cycle.Start();
        var row = cycle.BeforeCommit(Fleet("a", budget: 8), Beat(wanted: 5));
        row.Claim.ShouldBe(8);
        row.Cap.ShouldBe(8);
        pool.Cap.ShouldBe(0); // published, not yet enforced
        cycle.Committed();
        pool.Cap.ShouldBe(8);
        cycle.State!.Share.ShouldBe(8);
        cycle.State.Reason.ShouldContain("raised");
    }

    [Fact]
    public void BeforeCommit_Lower_EnforcedBeforeItIsPublished()
    {
        var (pool, cycle) = Governed("a", cap: 8);
        pool.Leased = 3;
        var row = cycle.BeforeCommit(Fleet("a", budget: 8, ("b", 8, 8, 0)), Beat(wanted: 8));
        row.Cap.ShouldBe(4);
        pool.Cap.ShouldBe(4); // lowered inside the transaction, before the row is written
        row.Claim.ShouldBe(4);
    }

    [Fact]
    public void BeforeCommit_LowerWhileHoldingMore_ClaimCoversTheLeasesStillOut()
    {
        var (pool, cycle) = Governed("a", cap: 8);
        pool.Leased = 7;
        var row = cycle.BeforeCommit(Fleet("a", 8, [("b", 8, 8, 0)], sessions: 7), Beat(wanted: 8));
        row.Cap.ShouldBe(4);
        row.Claim.ShouldBe(7);
        pool.Cleared.ShouldBe(0); // no idle connection above the cap: nothing to close
    }

    [Fact]
    public void BeforeCommit_IdleSessionsAboveTheCap_ClosedBeforePublishingAndNotClaimed()
    {
        var (pool, cycle) = Governed("a", cap: 8);
        pool.Leased = 2;
        var row = cycle.BeforeCommit(Fleet("a", 8, [("b", 8, 8, 0)], sessions: 8), Beat(wanted: 8));
        pool.Log.ShouldBe(["cap 8", "cap 4", "clear"]); // cap first, then the idle connections
        row.Cap.ShouldBe(4);
        row.Claim.ShouldBe(4);
    }

    [Fact]
    public void BeforeCommit_IdleSessionsAboveTheCapButNoClear_KeepsClaimingThem()
    {
        var (pool, cycle) = Governed("a", cap: 8, canClear: false);
        pool.Leased = 2;
        var row = cycle.BeforeCommit(Fleet("a", 8, [("b", 8, 8, 0)], sessions: 8), Beat(wanted: 8));
        row.Cap.ShouldBe(4);
        row.Claim.ShouldBe(8);
    }

    [Fact]
    public void Failed_AfterARaise_KeepsTheCapAndTheCommittedClaim()
    {
        var (pool, cycle) = Governed("a", cap: 2, budget: 2);
        cycle.BeforeCommit(Fleet("a", budget: 8), Beat(wanted: 8)).Claim.ShouldBe(8);
        cycle.Failed();
        pool.Cap.ShouldBe(2);
        cycle.Claim.ShouldBe(2);
    }

    [Fact]
    public void Failed_AfterALower_KeepsTheLowerCapAndCountsTheLowerClaim()
    {
        var (pool, cycle) = Governed("a", cap: 8);
        cycle.BeforeCommit(Fleet("a", budget: 8, ("b", 8, 8, 0)), Beat(wanted: 8));
        cycle.Failed();
        pool.Cap.ShouldBe(4);
        cycle.Claim.ShouldBe(4);
    }

    [Fact]
    public void BeforeCommit_ReserveAndUngovernedPools_AreNotShared()
    {
        var cycle = new FleetGovernorCycle(new RecordingPool(max: 10), reserve: 2, NullLogger.Instance);
        cycle.Start();
        // budget 20, reserve 2, an instance without the governor (no claim) with a pool of 10: 8 are shared.
        var row = cycle.BeforeCommit(Fleet("a", budget: 20, ("b", 10, 10, null)), Beat(wanted: 10));
        row.Claim.ShouldBe(8);
        cycle.Committed();
        cycle.State!.Budget.ShouldBe(8);
    }

    [Fact]
    public void Release_LiftsTheCap()
    {
        var (pool, cycle) = Governed("a", cap: 3);
        cycle.Release("no rights");
        pool.Log[^1].ShouldBe("cap none");
        cycle.State.ShouldBeNull();
    }

    // The ordering's safety over random joins, crashes, expiries, load and heartbeats whose commit fails (applied or
    // not, unknown to the instance): at every moment the registry's claims add up to at most the budget, and every
    // instance holds and admits no more than the claim the registry shows for it (a newcomer without a row: nothing).
    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)]
    public void Heartbeats_RandomJoinsCrashesAndFailedCommits_ClaimsStayWithinTheBudgetAndBoundEveryPool(int seed)
    {
        var random = new Random(seed);
        const int budget = 24;
        var registry = new Dictionary<string, FleetInstance>(StringComparer.Ordinal);
        var live = new Dictionary<string, (RecordingPool Pool, FleetGovernorCycle Cycle)>(StringComparer.Ordinal);
        var next = 0;
        for (var step = 0; step < 3000; step++)
        {
            var roll = random.Next(100);
            if (roll < 4 && live.Count < 6)
            {
                var pool = new RecordingPool(max: random.Next(4, 20));
                var cycle = new FleetGovernorCycle(pool, reserve: 2, NullLogger.Instance);
                cycle.Start();
                live[$"i{next++}"] = (pool, cycle);
            }
            else if (roll < 6 && live.Count > 0)
            {
                live.Remove(live.Keys.ElementAt(random.Next(live.Count))); // crashed: its row stays until it expires
            }
            else if (roll < 9 && registry.Count > 0)
            {
                var gone = registry.Keys.ElementAt(random.Next(registry.Count));
                if (!live.ContainsKey(gone)) registry.Remove(gone); // expired (a live instance's row never expires)
            }
            else if (roll < 40 && live.Count > 0)
            {
                // Load moves: leases return any time; new ones only through the gate.
                var (pool, _) = live.Values.ElementAt(random.Next(live.Count));
                pool.Leased = random.Next(2) == 0 ? random.Next(pool.Leased + 1) : Math.Max(pool.Leased, random.Next(pool.Cap + 1));
            }
            else if (live.Count > 0)
            {
                var name = live.Keys.ElementAt(random.Next(live.Count));
                var (pool, cycle) = live[name];
                var signals = new FleetSignals
                {
                    Self = Service + "/" + name,
                    Instances = [.. registry.Values.Select(i => i with { SlotsHeld = live.TryGetValue(i.Instance, out var l) ? l.Pool.Leased : 0 })],
                    Budget = new FleetBudget(budget, 0, 0, registry.Count),
                };
                var row = cycle.BeforeCommit(signals, Beat(wanted: random.Next(1, pool.MaximumPoolSize + 1)) with { PoolMax = pool.MaximumPoolSize });
                Check(registry, live, budget);
                var outcome = random.Next(10);
                if (outcome >= 2 || outcome == 1) registry[name] = Row(name, row.PoolMax, row.Wanted, row.Claim);
                if (outcome >= 2) cycle.Committed();
                else cycle.Failed(); // 1: applied but unacknowledged; 0: not applied
            }
            Check(registry, live, budget);
        }
    }

    private static void Check(Dictionary<string, FleetInstance> registry, Dictionary<string, (RecordingPool Pool, FleetGovernorCycle Cycle)> live, int budget)
    {
        registry.Values.Sum(i => i.Claim ?? 0).ShouldBeLessThanOrEqualTo(budget - 2);
        foreach (var (name, (pool, _)) in live)
        {
            var claim = registry.TryGetValue(name, out var row) ? row.Claim ?? 0 : 0;
            pool.Cap.ShouldBeLessThanOrEqualTo(claim, $"{name}'s cap");
            pool.Leased.ShouldBeLessThanOrEqualTo(claim, $"{name}'s leases");
        }
    }

    private static (RecordingPool, FleetGovernorCycle) Governed(string self, int cap, int? budget = null, bool canClear = true)
    {
        var pool = new RecordingPool(max: 10, canClear);
        var cycle = new FleetGovernorCycle(pool, reserve: 0, NullLogger.Instance);
        cycle.Start();
        cycle.BeforeCommit(Fleet(self, budget ?? cap), Beat(wanted: cap == 0 ? 1 : cap));
        cycle.Committed();
        pool.Cap.ShouldBe(cap);
        pool.Log.Clear();
        pool.Log.Add($"cap {cap}");
        return (pool, cycle);
    }

    private static FleetHeartbeat Beat(int wanted) => new(10, 0, 0, 0, 0, null, Wanted: wanted);

    private static FleetInstance Row(string instance, int poolMax, int? wanted, int? claim) =>
        new() { Service = Service, Instance = instance, PoolMax = poolMax, Wanted = wanted, Claim = claim, Cap = claim };

    // The fleet as read in the heartbeat's transaction: the others' rows, and this instance's sessions on the server.
    private static FleetSignals Fleet(string self, int budget, params (string Name, int PoolMax, int Wanted, int? Claim)[] others) =>
        Fleet(self, budget, others, sessions: 0);

    private static FleetSignals Fleet(string self, int budget, (string Name, int PoolMax, int Wanted, int? Claim)[] others, int sessions) =>
        new()
        {
            Self = Service + "/" + self,
            Instances = [.. others.Select(o => Row(o.Name, o.PoolMax, o.Wanted, o.Claim)), Row(self, 10, 10, null) with { SlotsHeld = sessions }],
            Budget = new FleetBudget(budget, 0, 0, others.Length + 1),
        };

    private sealed class RecordingPool(int max, bool canClear = true) : IGovernedPool
    {
        private int? _cap;

        public List<string> Log { get; } = [];

        public int Cleared { get; private set; }

        public int MaximumPoolSize => max;

        public int Cap => Math.Min(_cap ?? max, max);

        public int Leased { get; set; }

        public void SetCap(int? cap)
        {
            _cap = cap;
            Log.Add(cap is { } c ? $"cap {c}" : "cap none");
        }

        public bool ClearIdle()
        {
            if (!canClear) return false;
            Cleared++;
            Log.Add("clear");
            return true;
        }
    }
}
