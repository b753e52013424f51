using System.Data.Common;
using Npgsql;

namespace Lifeguard.Testing.Tests;

// Against the real PostgreSQL. Assertions are physical bounds or comparisons within one run, not speed limits:
// 8 workers sharing 2 connections that each hold ≥ 50 ms must wait ≥ 3 holds on average.
public sealed class PoolLoadTestTests
{
    private static NpgsqlDataSource DataSource(int maxPoolSize, int timeoutSeconds = 15)
    {
        var builder = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString)
        {
            MaxPoolSize = maxPoolSize,
            Timeout = timeoutSeconds,
            // A unique application name gives every test its own pool.
            ApplicationName = "lifeguard-loadtest-" + Guid.NewGuid().ToString("N")[..8],
        };
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    private static Func<DbConnection, CancellationToken, Task> Sleep(double seconds) => async (connection, ct) =>
    {
        await using var command = connection.CreateCommand();
        command.CommandText = FormattableString.Invariant($"SELECT pg_sleep({seconds})");
        await command.ExecuteNonQueryAsync(ct);
    };

    private static async Task WarmAsync(NpgsqlDataSource dataSource, int connections)
    {
        // Open the physical connections first so the measured waits are pool waits, not logins.
        var open = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => dataSource.OpenConnectionAsync().AsTask()));
        foreach (var c in open) await c.DisposeAsync();
    }

    [Fact]
    public async Task RunAsync_PoolAsLargeAsWorkers_WaitsFarBelowStarvedPool()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sized = DataSource(maxPoolSize: 5);
        await using var starved = DataSource(maxPoolSize: 2);
        await WarmAsync(sized, 5);
        await WarmAsync(starved, 2);

        var enough = await PoolLoadTest.RunAsync(sized, workers: 5, TimeSpan.FromSeconds(1.5), Sleep(0.05), ct);
        var tooFew = await PoolLoadTest.RunAsync(starved, workers: 8, TimeSpan.FromSeconds(1.5), Sleep(0.05), ct);

        enough.FirstError.ShouldBeNull();
        tooFew.FirstError.ShouldBeNull();
        enough.Timeouts.ShouldBe(0);
        tooFew.Timeouts.ShouldBe(0);
        enough.Operations.ShouldBeGreaterThan(5);
        enough.Hold.P50.ShouldBeGreaterThanOrEqualTo(0.050); // pg_sleep(0.05) really held the connection
        // Little's law on 2 connections: each of 8 workers cycles wait + hold ≥ 4 holds, so waits ≥ 150 ms on average.
        tooFew.Wait.Mean.ShouldBeGreaterThan(0.100);
        enough.Wait.P99.ShouldBeLessThan(tooFew.Wait.P50 / 5);
        (tooFew.Throughput / enough.Throughput).ShouldBeLessThan(0.6); // 2 connections cannot match 5
    }

    [Fact]
    public async Task RunAsync_HoldLongerThanTimeout_CountsPoolTimeouts()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var single = DataSource(maxPoolSize: 1, timeoutSeconds: 1);
        await WarmAsync(single, 1);

        // One connection held 1.5 s at a time, three workers, 1 s Timeout: the other two must time out.
        var result = await PoolLoadTest.RunAsync(single, workers: 3, TimeSpan.FromSeconds(2), Sleep(1.5), ct);

        result.Timeouts.ShouldBeGreaterThanOrEqualTo(2);
        result.FirstError.ShouldBeNull();
        result.Operations.ShouldBeGreaterThanOrEqualTo(1);
        result.Hold.P50.ShouldBeGreaterThanOrEqualTo(1.5);
    }

    [Fact]
    public async Task RunAsync_WorkThrows_CountsErrorsAndKeepsFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ds = DataSource(maxPoolSize: 2);
        // Warm first: on a busy machine opening the physical connections alone can outlast a short run.
        await WarmAsync(ds, 2);
        var result = await PoolLoadTest.RunAsync(ds, workers: 2, TimeSpan.FromSeconds(1), async (connection, token) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1/0";
            await command.ExecuteScalarAsync(token);
        }, ct);

        result.Errors.ShouldBeGreaterThan(0);
        result.FirstError.ShouldBeOfType<PostgresException>().SqlState.ShouldBe("22012");
    }
}
