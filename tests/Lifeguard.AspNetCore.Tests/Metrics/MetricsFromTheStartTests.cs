using System.Text.RegularExpressions;

using Lifeguard.TestSupport;

namespace Lifeguard.AspNetCore.Tests.Metrics;

[Collection(MeterAloneCollection.Name)]
public sealed partial class MetricsFromTheStartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string OpenMetricsAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    [Fact]
    public async Task Metrics_FreshAppBeforeAnyLease_HasEveryFamilyAtZeroAndPassesPromtool()
    {
        await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests"));
        var text = await app.Management.GetStringAsync("/metrics", Ct);

        foreach (var histogram in new[] { "db_client_connection_wait_time_seconds", "db_client_connection_use_time_seconds" })
        {
            text.ShouldContain($"# TYPE {histogram} histogram");
            text.ShouldMatch($"{histogram}_bucket\\{{[^}}]*le=\"0.0001\"\\}} 0\n");
            text.ShouldMatch($"{histogram}_bucket\\{{[^}}]*le=\"\\+Inf\"\\}} 0\n");
            text.ShouldMatch($"{histogram}_count\\{{[^}}]*\\}} 0\n");
        }

        foreach (var counter in new[] { "db_client_connection_timeouts_total", "lifeguard_connection_leaks_total", "lifeguard_connection_rejections_total", "lifeguard_connection_errors_total" })
            text.ShouldMatch($"{counter}\\{{[^}}]*\\}} 0\n");
        text.ShouldMatch("db_client_connection_count\\{[^}]*db_client_connection_state=\"used\"\\} 0\n");
        text.ShouldMatch("db_client_connection_max\\{[^}]*\\} 2\n");
        text.ShouldMatch("db_client_connection_pending_requests\\{[^}]*\\} 0\n");

        var findings = await LifeguardEndpointsTests.PromtoolFindingsAsync(text);
        findings.ShouldBeEmpty(string.Join('\n', findings));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Metrics_FirstLease_ContinuesTheZeroSeriesWithTheSameLabels(bool openMetrics)
    {
        await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests"));
        var before = await ScrapeAsync(app, openMetrics);
        (await app.Client.GetAsync("/query", Ct)).EnsureSuccessStatusCode();
        var after = await ScrapeAsync(app, openMetrics);

        var seriesBefore = HistogramSeries(before);
        seriesBefore.Count.ShouldBe(2 * (18 + 1 + 2)); // two histograms: 18 bounds + +Inf, sum, count
        // Same names and labels, so Prometheus sees one series going 0 -> 1, not a new one appearing at 1.
        HistogramSeries(after).Where(s => !s.Contains("_created{", StringComparison.Ordinal)).ShouldBe(seriesBefore, ignoreOrder: true);
        before.ShouldMatch("db_client_connection_wait_time_seconds_count\\{[^}]*\\} 0\n");
        after.ShouldMatch("db_client_connection_wait_time_seconds_count\\{[^}]*\\} 1\n");
        if (openMetrics) before.TrimEnd().ShouldEndWith("# EOF");
    }

    private static async Task<string> ScrapeAsync(GuardedTestApp app, bool openMetrics)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (openMetrics) request.Headers.TryAddWithoutValidation("Accept", OpenMetricsAccept);
        using var response = await app.Management.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        (response.Content.Headers.ContentType!.MediaType == "application/openmetrics-text").ShouldBe(openMetrics);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private static List<string> HistogramSeries(string exposition) =>
        SeriesKey().Matches(exposition).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex("^(db_client_connection_(?:wait|use)_time_seconds_[a-z]+\\{[^}]*\\}) ", RegexOptions.Multiline)]
    private static partial Regex SeriesKey();
}
