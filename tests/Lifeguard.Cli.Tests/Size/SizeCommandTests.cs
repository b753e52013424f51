using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lifeguard.Sizing;

namespace Lifeguard.Cli.Tests.Size;

public sealed class SizeCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Size_Numbers_ExitsZeroAndJsonMatchesTheAdvisor()
    {
        var (exit, output, json) = await _cli.RunAsync("size", "--arrival-rate", "200", "--hold-mean-ms", "20", "--wait-goal-ms", "50", "--burst", "1");

        exit.ShouldBe(0);
        var expected = PoolSizingAdvisor.Recommend(new PoolSizingInput
        {
            ArrivalRatePerSecond = 200,
            Hold = HoldTimeDistribution.FromMean(TimeSpan.FromMilliseconds(20)),
            WaitGoal = TimeSpan.FromMilliseconds(50),
            BurstFactor = 1,
        });
        var r = json!.Value.GetProperty("recommendation");
        r.GetProperty("verdict").GetString().ShouldBe("recommended");
        r.GetProperty("maximum_pool_size").GetInt32().ShouldBe(expected.MaximumPoolSize);
        r.GetProperty("timeout_seconds").GetDouble().ShouldBe(3);
        r.GetProperty("predicted_goal_quantile_wait_ms").GetDouble().ShouldBeLessThanOrEqualTo(50);
        output.ShouldContain($"Maximum Pool Size={expected.MaximumPoolSize}");
        // Neighbouring sizes: one connection fewer misses the goal, the recommended one meets it.
        var alternatives = json.Value.GetProperty("alternatives").EnumerateArray().ToDictionary(a => a.GetProperty("pool_size").GetInt32());
        alternatives[expected.MaximumPoolSize].GetProperty("goal_quantile_wait_ms").GetDouble().ShouldBeLessThanOrEqualTo(50);
        alternatives[expected.MaximumPoolSize - 1].GetProperty("goal_quantile_wait_ms").GetDouble().ShouldBeGreaterThan(50);
    }

    [Fact]
    public async Task Size_DatabaseBottleneck_ExitsTwoAndSaysSo()
    {
        var (exit, output, json) = await _cli.RunAsync("size", "--arrival-rate", "500", "--hold-mean-ms", "20", "--db-cores", "2");
        exit.ShouldBe(2);
        json!.Value.GetProperty("recommendation").GetProperty("verdict").GetString().ShouldBe("database_bottleneck");
        output.ShouldContain("bottleneck");
    }

    [Fact]
    public async Task Size_FromJson_TopLevelAndNested_UseTheFileNumbers()
    {
        var flat = _cli.Write("load.json", """{ "arrival_rate_per_second": 100, "hold_mean_ms": 10, "hold_p99_ms": 40 }""");
        var nested = _cli.Write("drill.json", """{ "verb": "drill", "sizing_input": { "arrival_rate_per_second": 100, "hold_mean_ms": 10, "hold_p99_ms": 40, "instances": 3 } }""");

        var (exit1, _, json1) = await _cli.RunAsync("size", "--from-json", flat);
        var (exit2, _, json2) = await _cli.RunAsync("size", "--from-json", nested);

        exit1.ShouldBe(0);
        exit2.ShouldBe(0);
        json1!.Value.GetProperty("inputs").GetProperty("hold_p99_ms").GetDouble().ShouldBe(40);
        json2!.Value.GetProperty("inputs").GetProperty("instances").GetInt32().ShouldBe(3);
        json1.Value.GetProperty("recommendation").GetProperty("offered_load").GetDouble().ShouldBe(1, 1e-9);
    }

    [Fact]
    public async Task Size_FromJsonOfAPoolLoadTestResult_ReadsItsSizingInput()
    {
        // What a user's pool load test (Lifeguard.Testing) hands to `lifeguard size --from-json`: its keys must be the ones
        // the verb reads (they were camelCase once, and the verb refused the file).
        var hold = new Lifeguard.LatencySummary(Count: 1000, P50: 0.008, P90: 0.02, P99: 0.040, Max: 0.05, Sum: 10); // mean 10 ms
        var result = new Lifeguard.Testing.PoolLoadTestResult(8, TimeSpan.FromSeconds(10), 1000, 0, 0, hold, hold, null);
        var file = _cli.Write("pool-load-test.json", System.Text.Json.JsonSerializer.Serialize(result.ToSizingInput()));

        var (exit, output, json) = await _cli.RunAsync("size", "--from-json", file);

        exit.ShouldBe(0, output);
        json!.Value.GetProperty("inputs").GetProperty("hold_p99_ms").GetDouble().ShouldBe(40, 1e-9);
        json.Value.GetProperty("recommendation").GetProperty("offered_load").GetDouble().ShouldBe(1, 1e-9); // 100/s x 10 ms
    }

    [Fact]
    public async Task Size_FromJsonMissingFields_ExitsOne()
    {
        var (exit, output, _) = await _cli.RunAsync("size", "--from-json", _cli.Write("bad.json", """{ "arrival_rate_per_second": 1 }"""));
        exit.ShouldBe(1);
        output.ShouldContain("hold_mean_ms");
    }

    [Fact]
    public async Task Size_NoInputs_ExitsOne()
    {
        var (exit, output, _) = await _cli.RunAsync("size");
        exit.ShouldBe(1);
        output.ShouldContain("no arrival rate");
    }

    [Theory]
    [InlineData("--metrics-url", "not a url")]
    [InlineData("--window", "0s")]
    public async Task Size_BadMetricsOptions_ExitOne(string option, string value)
    {
        string[] args = option == "--window"
            ? ["size", "--metrics-url", "http://127.0.0.1:9/metrics", "--window", value]
            : ["size", option, value];
        var (exit, output, _) = await _cli.RunAsync(args);
        exit.ShouldBe(1);
        output.ShouldContain(option);
    }

    [Fact]
    public async Task Size_MetricsUrlNobodyListens_ExitsOne()
    {
        var (exit, output, _) = await _cli.RunAsync("size", "--metrics-url", $"http://127.0.0.1:{FreePort()}/metrics", "--window", "100ms");
        exit.ShouldBe(1);
        output.ShouldContain("cannot scrape");
    }

    [Fact]
    public async Task Size_MaxConnectionsAndInstances_CapsAtBudget()
    {
        // 1,000/s × 20 ms = 20 busy per instance; (30 − 3) / 10 instances = 2 each: goal not met, exit 2.
        var (exit, _, json) = await _cli.RunAsync("size", "--arrival-rate", "1000", "--hold-mean-ms", "20", "--max-connections", "30", "--instances", "10");
        exit.ShouldBe(2);
        var r = json!.Value.GetProperty("recommendation");
        r.GetProperty("budget_per_instance").GetInt32().ShouldBe(2);
        r.GetProperty("maximum_pool_size").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task Size_MetricsUrl_DerivesRateFromCountDeltaAndHoldFromHistogram()
    {
        // A real HTTP endpoint whose use_time histogram grows by 300 leases of ~20 ms between scrapes.
        var (listener, port) = StartListener();
        using var _ = listener;
        var scrapes = 0;
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await listener.GetContextAsync(); } catch (HttpListenerException) { return; } catch (ObjectDisposedException) { return; }
                var n = Interlocked.Increment(ref scrapes);
                var body = Encoding(count: n == 1 ? 100 : 400);
                var bytes = System.Text.Encoding.UTF8.GetBytes(body);
                ctx.Response.ContentType = "text/plain; version=0.0.4";
                await ctx.Response.OutputStream.WriteAsync(bytes);
                ctx.Response.Close();
            }
        }, TestContext.Current.CancellationToken);

        var (exit, _, json) = await _cli.RunAsync("size", "--metrics-url", $"http://127.0.0.1:{port}/metrics", "--window", "1s");
        listener.Stop();

        exit.ShouldBe(0);
        var inputs = json!.Value.GetProperty("inputs");
        inputs.GetProperty("sampled_leases").GetDouble().ShouldBe(300);
        var seconds = inputs.GetProperty("sampled_seconds").GetDouble();
        // The interval between the two scrapes as measured, about the 1 s window (a timer can end a little early:
        // 0.9976 s was seen); what matters is that the rate below is derived from it.
        seconds.ShouldBeGreaterThan(0.5);
        inputs.GetProperty("arrival_rate_per_second").GetDouble().ShouldBe(300 / seconds, 1e-6);
        inputs.GetProperty("hold_mean_ms").GetDouble().ShouldBe(20, 1e-6); // Δsum 6 s / Δcount 300
        inputs.GetProperty("pool").GetString().ShouldBe("main");
        inputs.GetProperty("current_maximum_pool_size").GetDouble().ShouldBe(25);
    }

    private static string Encoding(int count)
    {
        // count leases, all between 10 and 25 ms except 1% up to 100 ms; mean exactly 20 ms.
        var inv = CultureInfo.InvariantCulture;
        var l = "{db_client_connection_pool_name=\"main\",otel_scope_name=\"Lifeguard\"";
        return string.Join('\n',
            "# TYPE db_client_connection_use_time_seconds histogram",
            $"db_client_connection_use_time_seconds_bucket{l},le=\"0.01\"}} 0",
            $"db_client_connection_use_time_seconds_bucket{l},le=\"0.025\"}} {(count * 0.99).ToString(inv)}",
            $"db_client_connection_use_time_seconds_bucket{l},le=\"0.1\"}} {count}",
            $"db_client_connection_use_time_seconds_bucket{l},le=\"+Inf\"}} {count}",
            $"db_client_connection_use_time_seconds_sum{l}}} {(count * 0.02).ToString(inv)}",
            $"db_client_connection_use_time_seconds_count{l}}} {count}",
            "# TYPE db_client_connection_max gauge",
            $"db_client_connection_max{l}}} 25",
            "");
    }

    // A port found free can be taken by a parallel test before the listener binds it: try another one then.
    private static (HttpListener Listener, int Port) StartListener()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
