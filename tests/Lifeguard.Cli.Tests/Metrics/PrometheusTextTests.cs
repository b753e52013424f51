using Lifeguard.Cli.Metrics;

namespace Lifeguard.Cli.Tests.Metrics;

public sealed class PrometheusTextTests
{
    private const string Exposition = """
        # TYPE db_client_connection_count gauge
        db_client_connection_count{db_client_connection_pool_name="main",db_client_connection_state="used",otel_scope_name="Lifeguard"} 2
        db_client_connection_count{db_client_connection_pool_name="main",db_client_connection_state="idle",otel_scope_name="Lifeguard"} 1
        db_client_connection_max{db_client_connection_pool_name="main"} 2
        db_client_connection_pending_requests{db_client_connection_pool_name="main"} 7
        db_client_connection_timeouts_total{db_client_connection_pool_name="main"} 3 1700000000000
        db_client_connection_wait_time_seconds_bucket{db_client_connection_pool_name="main",le="0.1"} 10
        db_client_connection_wait_time_seconds_bucket{db_client_connection_pool_name="main",le="1"} 90
        db_client_connection_wait_time_seconds_bucket{db_client_connection_pool_name="main",le="+Inf"} 100
        db_client_connection_wait_time_seconds_sum{db_client_connection_pool_name="main"} 42.5
        db_client_connection_wait_time_seconds_count{db_client_connection_pool_name="main"} 100
        weird_label{path="a \"quoted\" \\ value"} 1
        """;

    [Fact]
    public void Parse_ExpositionText_ReadsNamesLabelsAndValues()
    {
        var samples = PrometheusText.Parse(Exposition);

        samples.Count.ShouldBe(11);
        samples[0].Name.ShouldBe("db_client_connection_count");
        samples[0].Label("db_client_connection_state").ShouldBe("used");
        samples[4].Value.ShouldBe(3); // the timestamp is not the value
        samples[^1].Label("path").ShouldBe("a \"quoted\" \\ value");
    }

    [Fact]
    public void PoolReading_From_DistilsPoolState()
    {
        var r = PoolReading.From(PrometheusText.Parse(Exposition), "main");

        r.Used.ShouldBe(2);
        r.Idle.ShouldBe(1);
        r.Max.ShouldBe(2);
        r.Pending.ShouldBe(7);
        r.TimeoutsTotal.ShouldBe(3);
        r.Wait.Count.ShouldBe(100);
        r.Wait.Mean.ShouldBe(0.425, 1e-9);
    }

    [Fact]
    public void HistogramQuantile_InsideABucket_InterpolatesLikeHistogramQuantile()
    {
        var h = new HistogramReading([(0.1, 10), (1, 90), (double.PositiveInfinity, 100)], 0, 100);
        // rank 99 of 100 lies in (1, +Inf]: PromQL answers the last finite bound.
        h.Quantile(0.99).ShouldBe(1);
        // rank 50 lies in (0.1, 1]: 0.1 + 0.9 * (50 - 10) / 80 = 0.55
        h.Quantile(0.5).ShouldBe(0.55, 1e-9);
        double.IsNaN(new HistogramReading([(0.1, 0), (double.PositiveInfinity, 0)], 0, 0).Quantile(0.99)).ShouldBeTrue();
    }

    [Fact]
    public void HistogramSince_TwoReadings_GivesTheIntervalOnly()
    {
        var before = new HistogramReading([(0.1, 10), (double.PositiveInfinity, 10)], 0.5, 10);
        var after = new HistogramReading([(0.1, 10), (double.PositiveInfinity, 30)], 20.5, 30);

        var interval = after.Since(before);

        interval.Count.ShouldBe(20);
        interval.Mean.ShouldBe(1.0, 1e-9);
        interval.Quantile(0.5).ShouldBe(0.1); // everything new is above 0.1 s
    }
}
