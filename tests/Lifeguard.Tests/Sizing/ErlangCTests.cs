using Lifeguard.Sizing;

namespace Lifeguard.Tests.Sizing;

public sealed class ErlangCTests
{
    // Reference values from the closed form C = (a^c/c!)·(c/(c−a)) / (Σ_{k<c} a^k/k! + a^c/c!·c/(c−a)),
    // evaluated with python3 (exact factorials for small c, log-gamma for large c):
    //   a=2,c=3 -> 0.444444 (4/9); a=1,c=2 -> 0.333333; a=8,c=10 -> 0.409180; a=0.5,c=1 -> 0.5 (M/M/1: ρ);
    //   a=45,c=50 -> 0.363864; a=9,c=10 -> 0.668732; a=950,c=1000 -> 0.068253; a=400,c=420 -> 0.230285.
    [Theory]
    [InlineData(2, 3, 0.4444444444)]
    [InlineData(1, 2, 0.3333333333)]
    [InlineData(8, 10, 0.4091801508)]
    [InlineData(0.5, 1, 0.5)]
    [InlineData(45, 50, 0.3638644672)]
    [InlineData(9, 10, 0.6687315241)]
    [InlineData(950, 1000, 0.0682534154)]
    [InlineData(400, 420, 0.2302854308)]
    public void ProbabilityOfWait_KnownLoads_MatchesClosedForm(double offered, int servers, double expected)
    {
        ErlangC.ProbabilityOfWait(offered, servers).ShouldBe(expected, 1e-8);
    }

    [Fact]
    public void ProbabilityOfWait_LoadFarBeyondFactorialRange_StaysFiniteAndInRange()
    {
        // 170! already overflows a double; the recursion must not.
        var c = ErlangC.ProbabilityOfWait(9_000, 9_100);
        double.IsFinite(c).ShouldBeTrue();
        c.ShouldBeInRange(0.0, 1.0);
        c.ShouldBeLessThan(ErlangC.ProbabilityOfWait(9_000, 9_050));
    }

    [Fact]
    public void ProbabilityOfWait_LoadAtOrAboveServers_IsCertain()
    {
        ErlangC.ProbabilityOfWait(3, 3).ShouldBe(1);
        ErlangC.ProbabilityOfWait(4, 3).ShouldBe(1);
    }

    [Fact]
    public void MeanWait_TwoPerSecondOneSecondHoldThreeServers_IsFourNinthsOverOne()
    {
        // λ=2, μ=1, c=3: E[W] = C/(cμ−λ) = (4/9)/1 s.
        ErlangC.MeanWait(2, TimeSpan.FromSeconds(1), 3).TotalSeconds.ShouldBe(4.0 / 9, 1e-6);
    }

    [Fact]
    public void WaitQuantile_P99_SatisfiesTailFormula()
    {
        // λ=2, μ=1, c=3: P(W>t) = (4/9)·e^{−t}; p99 -> t = ln((4/9)/0.01) = 3.7942 s.
        var p99 = ErlangC.WaitQuantile(2, TimeSpan.FromSeconds(1), 3, 0.99);
        p99.TotalSeconds.ShouldBe(Math.Log(4.0 / 9 / 0.01), 1e-6);
        ErlangC.ProbabilityWaitExceeds(2, TimeSpan.FromSeconds(1), 3, p99).ShouldBe(0.01, 1e-9);
    }

    [Fact]
    public void WaitQuantile_FewerWaitThanTheTail_IsZero()
    {
        // a=0.5, c=4: C is far below 1%, so the 99th percentile lease does not wait at all.
        ErlangC.WaitQuantile(0.5, TimeSpan.FromSeconds(1), 4, 0.99).ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public void WaitQuantile_UnstableQueue_IsUnbounded()
    {
        ErlangC.WaitQuantile(5, TimeSpan.FromSeconds(1), 4, 0.99).ShouldBe(TimeSpan.MaxValue);
    }
}
