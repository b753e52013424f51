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
    public void Parse_LabelsWithEscapesCommentsAndInf_AreRead()
    {
        const string text = """
            # HELP x help text
            # TYPE x counter
            x_total{a="1",b="say \"hi\"",c="x,y"} 42 1700000000000
            up 1
            h_bucket{le="+Inf"} 7
            """;
        var samples = PrometheusText.Parse(text);
        samples.Count.ShouldBe(3);
        samples[0].Name.ShouldBe("x_total");
        samples[0].Labels["b"].ShouldBe("say \"hi\"");
        samples[0].Labels["c"].ShouldBe("x,y");
        samples[0].Value.ShouldBe(42);
        samples[1].Labels.ShouldBeEmpty();
        samples[2].Labels["le"].ShouldBe("+Inf");
    }
}
