using Lifeguard.Configuration;
using Lifeguard.Sizing;

namespace Lifeguard.Tests.Sizing;

public sealed class TwoQueueSizingAdvisorTests
{
    // 4 instances × 50 leases/s, each lease holds its app connection 40 ms (exponential) and runs one 10 ms transaction;
    // goal p99 wait ≤ 50 ms, burst 1.3×. Erlang C via the B recursion, p99 wait t = ln(C / 0.01) / (cμ − λ):
    //   app queue, a = 50 × 0.040 = 2, μ = 25/s:
    //     c = 3: C = 0.444, drain 75 − 50 = 25/s, t = ln(44.4)/25 = 152 ms   > 50
    //     c = 4: C = 0.174, drain 100 − 50 = 50/s, t = ln(17.4)/50 = 57 ms   > 50
    //     c = 5: C = 0.060, drain 125 − 50 = 75/s, t = ln(5.97)/75 = 24 ms   ≤ 50  → 5 (and 5 holds at 1.3× too)
    //   pooler queue, fleet λ = 4 × 50 × 1 = 200/s, a = 200 × 0.010 = 2, μ = 100/s:
    //     c = 3: C = 0.444, drain 300 − 200 = 100/s, t = ln(44.4)/100 = 38 ms ≤ 50 → smallest 3
    //     burst λ = 260, a = 2.6: c = 3: C = 0.759, drain 40/s, t = ln(75.9)/40 = 108 ms > 50
    //                             c = 4: C = 0.354, drain 140/s, t = ln(35.4)/140 = 25 ms ≤ 50 → 4
    private static TwoQueueSizingInput Input(Action<PoolSizingInput>? fleet = null, Action<TwoQueueSizingInput>? pooler = null)
    {
        var f = new PoolSizingInput
        {
            ArrivalRatePerSecond = 50,
            Hold = HoldTimeDistribution.FromMean(TimeSpan.FromMilliseconds(40)),
            Instances = 4,
            ServerMaxConnections = 30,
            ReservedConnections = 3,
        };
        fleet?.Invoke(f);
        var input = new TwoQueueSizingInput
        {
            Fleet = f,
            Mode = PoolerMode.Transaction,
            MaxClientConnections = 40,
            ServerHold = HoldTimeDistribution.FromMean(TimeSpan.FromMilliseconds(10)),
        };
        pooler?.Invoke(input);
        return input;
    }

    [Fact]
    public void Recommend_TransactionMode_SizesEachQueueOnItsOwnLoad()
    {
        var r = TwoQueueSizingAdvisor.Recommend(Input());

        r.Verdict.ShouldBe(SizingVerdict.Recommended);
        r.ApplicationOfferedLoad.ShouldBe(2, 1e-9);
        r.ServerOfferedLoad.ShouldBe(2, 1e-9);
        r.ApplicationSmallestMeetingGoal.ShouldBe(5);
        r.ApplicationPoolSize.ShouldBe(5);
        r.PoolerSmallestMeetingGoal.ShouldBe(3);
        r.PoolerPoolSize.ShouldBe(4);
        r.ClientBudgetPerInstance.ShouldBe(10);      // 40 / 4
        r.ServerBudgetPerPair.ShouldBe(27);          // 30 − 3
        r.FleetClientConnections.ShouldBe(20);       // 4 × 5
        r.PoolerServerConnections.ShouldBe(4);
        r.PredictedApplicationWait!.Value.TotalMilliseconds.ShouldBe(23.8, 0.1);
        r.PredictedPoolerWait!.Value.TotalMilliseconds.ShouldBe(14.3, 0.1); // c = 4, λ = 200: C = 0.174, drain 400 − 200 = 200/s, ln(17.4)/200
        r.Warnings.ShouldBeEmpty();
        r.Reasons.ShouldContain(x => x.Contains("a bigger application pool only adds clients to the pooler's queue", StringComparison.Ordinal));
    }

    [Fact]
    public void Recommend_ServerSlotsBelowThePoolersNeed_CapsAndWarnsWithMaxConnections()
    {
        // max_connections 6 − 3 reserved = 3 < 4 needed: the pooler gets 3 (still stable, a = 2: p99 38 ms),
        // and raising max_connections to 3 + 0 + 4 × 1 pair = 7 would carry it.
        var r = TwoQueueSizingAdvisor.Recommend(Input(f => f.ServerMaxConnections = 6));
        r.Verdict.ShouldBe(SizingVerdict.GoalNotMetWithinCap);
        r.PoolerPoolSize.ShouldBe(3);
        r.ServerBudgetPerPair.ShouldBe(3);
        r.PredictedPoolerWait!.Value.TotalMilliseconds.ShouldBe(37.9, 0.1);
        r.Warnings.ShouldHaveSingleItem().ShouldContain("raise max_connections to 7");
        r.ApplicationPoolSize.ShouldBe(5); // the app's pool is not shrunk to the server's slots
    }

    [Fact]
    public void Recommend_MaxClientConnBelowTheFleetsPools_BoundsTheAppPoolAndSaysWhatToRaise()
    {
        // max_client_conn 12 − 0 others = 12 / 4 instances = 3 < 5 needed; 4 × 5 + 0 = 20 would carry it.
        var r = TwoQueueSizingAdvisor.Recommend(Input(pooler: p => p.MaxClientConnections = 12));
        r.Verdict.ShouldBe(SizingVerdict.GoalNotMetWithinCap);
        r.ApplicationPoolSize.ShouldBe(3);
        r.PredictedApplicationWait!.Value.TotalMilliseconds.ShouldBe(151.7, 0.2); // c = 3 from the table above
        r.Warnings.ShouldContain(w => w.Contains("raise max_client_conn to 20", StringComparison.Ordinal));
        r.PoolerPoolSize.ShouldBe(4);
    }

    [Fact]
    public void Recommend_PairsAndReserve_SplitTheServersSlots()
    {
        // 27 usable / 3 pairs = 9, − 2 reserve = 7 per pair ≥ 4: fits; the pooler may open 3 × (4 + 2) = 18.
        var r = TwoQueueSizingAdvisor.Recommend(Input(pooler: p => { p.DatabaseUserPairs = 3; p.ReservePoolSize = 2; }));
        r.ServerBudgetPerPair.ShouldBe(7);
        r.PoolerPoolSize.ShouldBe(4);
        r.PoolerServerConnections.ShouldBe(18);
        r.Verdict.ShouldBe(SizingVerdict.Recommended);
    }

    [Fact]
    public void Recommend_TransactionsPerLease_MultiplyTheServerLoad()
    {
        // 4 × 50 × 3 transactions = 600/s × 10 ms = 6 busy server connections, the app's queue unchanged.
        var r = TwoQueueSizingAdvisor.Recommend(Input(pooler: p => p.TransactionsPerLease = 3));
        r.ServerOfferedLoad.ShouldBe(6, 1e-9);
        r.PoolerPoolSize.ShouldBeGreaterThan(6);
        r.ApplicationPoolSize.ShouldBe(5);
    }

    [Fact]
    public void Recommend_DatabaseCores_CapThePoolersPoolNotTheApps()
    {
        // 1 core: useful parallelism 1 × 2 + 1 = 3 > 2 busy, cap 1 × 4 = 4 on the pooler's pool (the server's connections);
        // the app's pools (4 × 5 = 20) are clients of the pooler and are not capped by the database's cores.
        var ok = TwoQueueSizingAdvisor.Recommend(Input(f => f.DatabaseCores = 1));
        ok.Verdict.ShouldBe(SizingVerdict.Recommended);
        ok.PoolerPoolSize.ShouldBe(4);
        ok.ApplicationPoolSize.ShouldBe(5);

        // 20 ms transactions: 200/s × 0.020 = 4 busy ≥ 3 useful → the database is the bottleneck, whatever the pools.
        var busy = TwoQueueSizingAdvisor.Recommend(Input(f => f.DatabaseCores = 1, p => p.ServerHold = HoldTimeDistribution.FromMean(TimeSpan.FromMilliseconds(20))));
        busy.Verdict.ShouldBe(SizingVerdict.DatabaseBottleneck);
        busy.Warnings.ShouldContain(w => w.Contains("no pool size fixes that", StringComparison.Ordinal));
    }

    [Fact]
    public void Recommend_SessionMode_NeedsAServerConnectionPerAppConnection()
    {
        // Session mode: 4 × 5 = 20 server connections; max_connections 13 − 3 = 10 per pair → capped, 10 / 4 = 2 per instance.
        var fits = TwoQueueSizingAdvisor.Recommend(Input(pooler: p => p.Mode = PoolerMode.Session));
        fits.PoolerPoolSize.ShouldBe(20);
        fits.ServerOfferedLoad.ShouldBe(8, 1e-9); // 4 × 2 busy
        fits.Verdict.ShouldBe(SizingVerdict.Recommended);

        var tight = TwoQueueSizingAdvisor.Recommend(Input(f => f.ServerMaxConnections = 13, p => p.Mode = PoolerMode.Session));
        tight.PoolerPoolSize.ShouldBe(10);
        tight.Verdict.ShouldBe(SizingVerdict.GoalNotMetWithinCap);
        tight.Warnings.ShouldHaveSingleItem().ShouldContain("Maximum Pool Size ≤ 2 per instance");
    }

    [Fact]
    public void Recommend_NoServerSlotLeft_IsNoConnectionBudget()
    {
        var r = TwoQueueSizingAdvisor.Recommend(Input(f => f.ServerMaxConnections = 3));
        r.Verdict.ShouldBe(SizingVerdict.NoConnectionBudget);
        r.PoolerPoolSize.ShouldBe(0);
    }

    [Fact]
    public void Recommend_InvalidInput_Throws()
    {
        Should.Throw<System.ComponentModel.DataAnnotations.ValidationException>(() => TwoQueueSizingAdvisor.Recommend(Input(pooler: p => p.DatabaseUserPairs = 0)));
    }
}
