using Lifeguard.Cli.Metrics;
using Lifeguard.Cli.Size;

namespace Lifeguard.Cli.Tests.Size;

public sealed class UseTimeSnapshotTests
{
    [Fact]
    public void From_SeveralPoolsWithoutChoice_Fails()
    {
        var samples = PrometheusText.Parse("""
            db_client_connection_use_time_seconds_count{db_client_connection_pool_name="a"} 1
            db_client_connection_use_time_seconds_count{db_client_connection_pool_name="b"} 1
            """);
        Should.Throw<CliException>(() => UseTimeSnapshot.From(samples, null)).Message.ShouldContain("--pool");
        UseTimeSnapshot.From(samples, "b").Pool.ShouldBe("b");
    }

    [Fact]
    public void Since_NoLeasesInWindow_Fails()
    {
        var samples = PrometheusText.Parse("""
            db_client_connection_use_time_seconds_count{db_client_connection_pool_name="a"} 5
            db_client_connection_use_time_seconds_sum{db_client_connection_pool_name="a"} 0.5
            """);
        var snapshot = UseTimeSnapshot.From(samples, null);
        Should.Throw<CliException>(() => snapshot.Since(snapshot)).Message.ShouldContain("no connection was used");
    }
}
