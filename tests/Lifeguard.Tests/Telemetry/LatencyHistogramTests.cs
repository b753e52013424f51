using Lifeguard.Telemetry;

namespace Lifeguard.Tests.Telemetry;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Quantile_UniformMilliseconds_IsWithinSixPercent()
    {
        var h = new LatencyHistogram();
        for (var i = 1; i <= 1000; i++) h.Record(TimeSpan.FromMilliseconds(i));
        h.Quantile(0.5).ShouldBe(0.5, 0.5 * 0.07);
        h.Quantile(0.99).ShouldBe(0.99, 0.99 * 0.07);
        h.MaxSeconds.ShouldBe(1.0);
        h.Count.ShouldBe(1000);
    }

    [Fact]
    public void IndexOf_EveryBucket_ContainsItsOwnUpperBound()
    {
        for (var i = 0; i < LatencyHistogram.BucketCount - 1; i++)
            LatencyHistogram.IndexOf(LatencyHistogram.UpperBoundMicros(i)).ShouldBe(i);
    }
}
