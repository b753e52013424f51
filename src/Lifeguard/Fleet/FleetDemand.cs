using Lifeguard.Sizing;

namespace Lifeguard.Fleet;

/// <summary>How many connections one instance needs for its measured load: what the governor asks the fleet for.</summary>
public static class FleetDemand
{
    /// <summary>The sizing advisor's smallest pool meeting the wait goal for the measured lease rate and hold times, and
    /// never less than the leases in use plus those queued now (a queue says the cap is short whatever the model says);
    /// between 1 and <paramref name="poolMax"/>.</summary>
    public static int Wanted(double leasesPerSecond, TimeSpan holdMean, TimeSpan holdP99, int inUse, int waiting, int poolMax)
    {
        poolMax = Math.Max(1, poolMax);
        var now = inUse + (waiting > 0 ? waiting : 0);
        var modelled = 1;
        if (leasesPerSecond > 0 && holdMean > TimeSpan.Zero)
        {
            var hold = holdP99 > holdMean ? HoldTimeDistribution.FromMeanAndP99(holdMean, holdP99) : HoldTimeDistribution.FromMean(holdMean);
            var advice = PoolSizingAdvisor.Recommend(new PoolSizingInput { ArrivalRatePerSecond = leasesPerSecond, Hold = hold });
            modelled = advice.SmallestSizeMeetingGoal ?? advice.MaximumPoolSize;
        }
        return Math.Clamp(Math.Max(modelled, now), 1, poolMax);
    }
}
