using Lifeguard.Cli.Load;

namespace Lifeguard.Cli.Tests.Load;

public sealed class LatencyRecorderRetryLaterTests
{
    [Fact]
    public void Summarize_ServedAndToldToRetryLater_KeepsTheirLatenciesApart()
    {
        // Pages served slowly, 503s with Retry-After answered fast: neither may hide in the other's percentiles.
        var r = new LatencyRecorder(TimeSpan.FromSeconds(1), slow: TimeSpan.FromSeconds(5));
        for (var i = 0; i < 10; i++) r.Record(0, TimeSpan.FromMilliseconds(900), null);
        for (var i = 0; i < 10; i++) r.Record(0, TimeSpan.FromMilliseconds(10), LoadRunner.RetryLaterKind);
        r.Record(0, TimeSpan.FromSeconds(6), "timeout");

        var s = r.Summarize(new LoadOptions(), TimeSpan.FromSeconds(1), 1);

        s.ServedP99Ms.ShouldBe(900, 1);
        s.RetryLater.ShouldBe(10);
        s.RetryLaterP99Ms.ShouldBe(10, 0.1);
        s.Errors.ShouldBe(11);
        s.ErrorsByKind[LoadRunner.RetryLaterKind].ShouldBe(10);
        r.ShareOverSlow().ShouldBe(Math.Round(1 / 21.0, 4));
    }

    [Fact]
    public void Summarize_NothingServedOrToldToRetry_ReadsZero()
    {
        var r = new LatencyRecorder();
        r.Record(0, TimeSpan.FromSeconds(30), "timeout");

        var s = r.Summarize(new LoadOptions(), TimeSpan.FromSeconds(1), 1);

        s.ServedP50Ms.ShouldBe(0);
        s.RetryLater.ShouldBe(0);
        s.RetryLaterP99Ms.ShouldBe(0);
    }
}
