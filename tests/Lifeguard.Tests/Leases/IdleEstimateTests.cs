using Lifeguard.Leases;
using Microsoft.Extensions.Time.Testing;

namespace Lifeguard.Tests.Leases;

/// <summary>The idle estimate alone: pure logic, the interleavings of an open and an estimate run step by step.</summary>
public sealed class IdleEstimateTests
{
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromSeconds(300);

    [Fact]
    public void Idle_PeakReachedWithinTheIdleLifetime_CountsTheConnectionsThePoolKeeps()
    {
        var time = new HookedTime();
        var box = new Box(time);
        box.Estimate.LeaseStarted(1, time.GetTimestamp());
        box.Estimate.LeaseStarted(2, time.GetTimestamp());
        box.Estimate.LeaseStarted(3, time.GetTimestamp());

        box.Estimate.Idle(0, time).ShouldBe(3);
        time.Advance(TimeSpan.FromSeconds(299));
        box.Estimate.Idle(1, time).ShouldBe(2);
    }

    [Fact]
    public void Idle_NothingReachedThePeakForAnIdleLifetime_TheSurplusIsPrunedDownToTheMinimum()
    {
        var time = new HookedTime();
        var box = new Box(time, minPoolSize: 1);
        box.Estimate.LeaseStarted(4, time.GetTimestamp());
        time.Advance(IdleLifetime + TimeSpan.FromSeconds(1));

        box.Estimate.Idle(0, time).ShouldBe(1);
    }

    [Fact]
    public void Idle_AnOpenRaisesThePeakBetweenTheEstimatesReadAndItsReset_TheOpensPeakSurvives()
    {
        var time = new HookedTime();
        var box = new Box(time);
        box.Estimate.LeaseStarted(1, time.GetTimestamp());
        time.Advance(IdleLifetime + TimeSpan.FromSeconds(1)); // the next estimate resets the peak to what is in use

        // The estimate has read the peak (1); on its clock read, another thread's open takes a second connection.
        time.OnNextTimestamp = () => box.Estimate.LeaseStarted(2, time.GetTimestamp());
        _ = box.Estimate.Idle(1, time);

        // Both leases ended: the pool keeps the two connections it opened a moment ago. A reset that stored over the
        // open's peak (a plain write where the open path uses compare-and-swap) would say one.
        box.Estimate.Idle(0, time).ShouldBe(2);
    }

    // The estimate is a mutable struct: it lives in a field, as in the tracker, so every call updates the one instance.
    private sealed class Box(TimeProvider time, int minPoolSize = 0)
    {
        public IdleEstimate Estimate = new(IdleLifetime, minPoolSize, time.TimestampFrequency, time.GetTimestamp());
    }
}
