using Lifeguard.Fleet;

namespace Lifeguard.Tests.Fleet;

public sealed class FleetGovernorTests
{
    [Fact]
    public void Step_TargetBelowClaim_LowersTheCapAtOnceAndTheClaimFollowsTheConnections()
    {
        var live = new[] { new FleetMember("a", 60, 60, 60), new FleetMember("b", 60, 60, 0) };
        var d = FleetGovernor.Step("a", 60, live, held: 45);
        d.Target.ShouldBe(30);
        d.Cap.ShouldBe(30);
        d.Claim.ShouldBe(45); // still holds 45: others may not take them yet
    }

    [Fact]
    public void Step_TargetAboveClaim_RaisesOnlyIntoRoomTheOthersLeave()
    {
        var live = new[] { new FleetMember("a", 60, 60, 45), new FleetMember("b", 60, 60, 0) };
        var d = FleetGovernor.Step("b", 60, live, held: 0);
        d.Target.ShouldBe(30);
        d.Cap.ShouldBe(15);
        d.Claim.ShouldBe(15);
        d.Reason.ShouldContain("come down");
    }

    [Fact]
    public void Step_NotAMember_Throws() =>
        Should.Throw<ArgumentException>(() => FleetGovernor.Step("x", 10, [new FleetMember("a", 5, 5, 5)], 0));

    // The safety property, over random join/leave/crash/step sequences: the published claims never add up to more than
    // the budget, every instance's connections stay within its claim, and once the fleet is quiet every live instance
    // reaches its fair share.
    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(5)]
    [InlineData(6)] [InlineData(7)] [InlineData(8)] [InlineData(9)] [InlineData(10)]
    public void Step_RandomJoinsLeavesCrashes_ClaimsNeverExceedTheBudget(int seed)
    {
        var random = new Random(seed);
        var budget = random.Next(3, 100);
        var fleet = new Dictionary<string, Sim>();
        var next = 0;
        for (var e = 0; e < 2_000; e++)
        {
            var alive = fleet.Values.Where(s => !s.Crashed).ToList();
            switch (random.Next(10))
            {
                case 0 when fleet.Count < 8:
                    // A join registers at claim 0 and takes its first step in the same serialised transaction.
                    var name = $"i{next++}";
                    fleet[name] = new Sim { PoolMax = random.Next(1, 80), Wanted = random.Next(1, 60) };
                    Step(name, budget, fleet);
                    break;
                case 1 when alive.Count > 0:
                    fleet.Remove(alive[random.Next(alive.Count)].Name(fleet)); // graceful leave: row deleted
                    break;
                case 2 when alive.Count > 0:
                    alive[random.Next(alive.Count)].Crashed = true; // row stays until its heartbeat expires
                    break;
                case 3:
                    foreach (var dead in fleet.Where(kv => kv.Value.Crashed).Select(kv => kv.Key).ToList()) fleet.Remove(dead);
                    break;
                case 4 when alive.Count > 0:
                    alive[random.Next(alive.Count)].Wanted = random.Next(1, 60);
                    break;
                case 5 when alive.Count > 0:
                    // Leases come and go within the enforced cap; connections above a lowered cap drain.
                    var s = alive[random.Next(alive.Count)];
                    s.Held = random.Next(0, Math.Max(s.Held, s.Cap) + 1);
                    if (s.Held > s.Cap) s.Held = Math.Min(s.Held, random.Next(0, s.Held + 1));
                    break;
                default:
                    if (alive.Count > 0) Step(alive[random.Next(alive.Count)].Name(fleet), budget, fleet);
                    break;
            }
            fleet.Values.Sum(x => x.Claim).ShouldBeLessThanOrEqualTo(budget, $"seed {seed}, event {e}");
            foreach (var x in fleet.Values) x.Held.ShouldBeLessThanOrEqualTo(Math.Max(x.Claim, 0), $"seed {seed}, event {e}");
        }

        // Quiet: crashed rows expire, connections drain to the caps, everyone steps twice.
        foreach (var dead in fleet.Where(kv => kv.Value.Crashed).Select(kv => kv.Key).ToList()) fleet.Remove(dead);
        for (var round = 0; round < 3; round++)
        {
            foreach (var name in fleet.Keys.Order(StringComparer.Ordinal).ToList())
            {
                fleet[name].Held = Math.Min(fleet[name].Held, fleet[name].Cap);
                Step(name, budget, fleet);
            }
        }
        var fair = FleetShares.Of(budget, Members(fleet));
        foreach (var (name, sim) in fleet) sim.Claim.ShouldBe(fair[name], $"seed {seed}: {name} reaches its share");
        fleet.Values.Sum(x => x.Claim).ShouldBeLessThanOrEqualTo(budget);
    }

    private static void Step(string name, int budget, Dictionary<string, Sim> fleet)
    {
        var sim = fleet[name];
        var d = FleetGovernor.Step(name, budget, Members(fleet), sim.Held);
        sim.Cap = d.Cap;
        sim.Claim = d.Claim;
    }

    private static FleetMember[] Members(Dictionary<string, Sim> fleet) =>
        fleet.Select(kv => new FleetMember(kv.Key, kv.Value.PoolMax, kv.Value.Wanted, kv.Value.Claim)).ToArray();

    private sealed class Sim
    {
        public int PoolMax, Wanted, Claim, Cap, Held;
        public bool Crashed;
        public string Name(Dictionary<string, Sim> fleet) => fleet.First(kv => ReferenceEquals(kv.Value, this)).Key;
    }
}
