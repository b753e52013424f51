using Lifeguard.AspNetCore.Metrics;

namespace Lifeguard.AspNetCore.Tests.Metrics;

public sealed class ZeroHistogramFamiliesTests
{
    private const string Labels = "otel_scope_name=\"Lifeguard\",db_client_connection_pool_name=\"db:5432/app\"";

    [Fact]
    public void Complete_NoLeaseYet_AddsBothHistogramsAtZeroBeforeEof()
    {
        var exposition = $"# TYPE db_client_connection_max gauge\ndb_client_connection_max{{{Labels}}} 10\n# EOF\n";

        var completed = ZeroHistogramFamilies.Complete(exposition, openMetrics: true);

        completed.ShouldContain($"db_client_connection_wait_time_seconds_bucket{{{Labels},le=\"1.0\"}} 0\n");
        completed.ShouldContain($"db_client_connection_use_time_seconds_count{{{Labels}}} 0\n");
        completed.ShouldContain("# UNIT db_client_connection_wait_time_seconds seconds");
        completed.TrimEnd().ShouldEndWith("# EOF");
    }

    [Fact]
    public void Complete_TextFormat_WritesWholeBoundsWithoutDecimalsLikeTheExporter()
    {
        var completed = ZeroHistogramFamilies.Complete($"db_client_connection_max{{{Labels}}} 10\n", openMetrics: false);
        completed.ShouldContain($"db_client_connection_wait_time_seconds_bucket{{{Labels},le=\"1\"}} 0\n");
        completed.ShouldContain($"db_client_connection_wait_time_seconds_bucket{{{Labels},le=\"0.00025\"}} 0\n");
        completed.ShouldNotContain("# UNIT");
    }

    [Fact]
    public void Complete_HistogramsAlreadyExported_LeavesTheExpositionUnchanged()
    {
        var exposition = $"db_client_connection_max{{{Labels}}} 10\n" +
            $"db_client_connection_wait_time_seconds_count{{{Labels}}} 3\n" +
            $"db_client_connection_use_time_seconds_count{{{Labels}}} 3\n";

        ZeroHistogramFamilies.Complete(exposition, openMetrics: false).ShouldBeSameAs(exposition);
    }

    [Fact]
    public void Complete_FamilyExportedByAnotherMeter_AddsTheSamplesInsideThatFamily()
    {
        // One family per name: the guard's zero series join the block another meter (e.g. the provider's) started.
        var npgsql = "otel_scope_name=\"Npgsql\",db_client_connection_pool_name=\"x\"";
        var exposition = "# TYPE db_client_connection_wait_time_seconds histogram\n" +
            $"db_client_connection_wait_time_seconds_bucket{{{npgsql},le=\"+Inf\"}} 1\n" +
            $"db_client_connection_wait_time_seconds_sum{{{npgsql}}} 0.1\n" +
            $"db_client_connection_wait_time_seconds_count{{{npgsql}}} 1\n" +
            "# TYPE db_client_connection_max gauge\n" +
            $"db_client_connection_max{{{Labels}}} 10\n";

        var lines = ZeroHistogramFamilies.Complete(exposition, openMetrics: false).Split('\n');

        lines.Count(l => l == "# TYPE db_client_connection_wait_time_seconds histogram").ShouldBe(1);
        var lastNpgsql = Array.FindIndex(lines, l => l.StartsWith($"db_client_connection_wait_time_seconds_count{{{npgsql}}}", StringComparison.Ordinal));
        lines[lastNpgsql + 1].ShouldStartWith($"db_client_connection_wait_time_seconds_bucket{{{Labels},le=\"0.0001\"}} 0");
        Array.FindIndex(lines, l => l.StartsWith("# TYPE db_client_connection_max", StringComparison.Ordinal)).ShouldBeGreaterThan(lastNpgsql + 21);
    }

    [Fact]
    public void Complete_NoGuardPool_LeavesTheExpositionUnchanged()
    {
        var exposition = "db_client_connection_max{otel_scope_name=\"Npgsql\",db_client_connection_pool_name=\"x\"} 10\n";
        ZeroHistogramFamilies.Complete(exposition, openMetrics: false).ShouldBeSameAs(exposition);
    }
}
