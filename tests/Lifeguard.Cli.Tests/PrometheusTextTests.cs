using Lifeguard.Cli.Metrics;
using Lifeguard.Cli.Size;

namespace Lifeguard.Cli.Tests;

public sealed class PrometheusTextTests
{
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

    [Fact]
    public void UseTimeSnapshot_SeveralPoolsWithoutChoice_Fails()
    {
        var samples = PrometheusText.Parse("""
            db_client_connection_use_time_seconds_count{db_client_connection_pool_name="a"} 1
            db_client_connection_use_time_seconds_count{db_client_connection_pool_name="b"} 1
            """);
        Should.Throw<CliException>(() => UseTimeSnapshot.From(samples, null)).Message.ShouldContain("--pool");
        UseTimeSnapshot.From(samples, "b").Pool.ShouldBe("b");
    }

    [Fact]
    public void UseTimeSnapshot_NoLeasesInWindow_Fails()
    {
        var samples = PrometheusText.Parse("""
            db_client_connection_use_time_seconds_count{db_client_connection_pool_name="a"} 5
            db_client_connection_use_time_seconds_sum{db_client_connection_pool_name="a"} 0.5
            """);
        var snapshot = UseTimeSnapshot.From(samples, null);
        Should.Throw<CliException>(() => snapshot.Since(snapshot)).Message.ShouldContain("no connection was used");
    }
}
