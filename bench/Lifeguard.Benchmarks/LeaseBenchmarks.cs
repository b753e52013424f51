using System.Data.Common;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Npgsql;

namespace Lifeguard.Benchmarks;

/// <summary>Pooled open + close of one connection: raw NpgsqlDataSource against the same through the guard, with leak
/// detection off and on. Every variant has its own warm pool and is called through DbDataSource, as the website does.</summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class LeaseBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // Short but not tiny: a shared 2-core machine is noisy, so take the median of 15 iterations in one process launch.
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(15).WithLaunchCount(1));
            AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
            // Each baseline is compared only with the variants of its own category.
            AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);
        }
    }

    private DbDataSource _raw = null!;
    private DbDataSource _guarded = null!;
    private DbDataSource _guardedLeaks = null!;
    private DbDataSource _guardedNoProviderCounts = null!;

    [GlobalSetup]
    public void Setup()
    {
        var cs = Environment.GetEnvironmentVariable("LIFEGUARD_BENCH_PG") is { Length: > 0 } env
            ? env
            : "Host=127.0.0.1;Port=54329;Username=lifeguard;Password=lifeguard;Database=lifeguard";
        cs = new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = 4, ApplicationName = "lifeguard-bench" }.ConnectionString;
        _raw = NpgsqlDataSource.Create(cs);
        _guarded = new GuardedDataSource(NpgsqlDataSource.Create(cs), new LifeguardOptions { PoolName = "bench" });
        _guardedLeaks = new GuardedDataSource(NpgsqlDataSource.Create(cs),
            new LifeguardOptions { PoolName = "bench-leaks", LeakDetectionThreshold = TimeSpan.FromSeconds(30) });
        // Warm each pool so every measured open is a pooled one.
        _guardedNoProviderCounts = new GuardedDataSource(NpgsqlDataSource.Create(cs), new LifeguardOptions { PoolName = "bench-no-provider-counts", ReadProviderPoolCounts = false });
        foreach (var ds in new[] { _raw, _guarded, _guardedLeaks, _guardedNoProviderCounts })
        {
            using var c = ds.OpenConnection();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _guarded.Dispose();
        _guardedLeaks.Dispose();
        _guardedNoProviderCounts.Dispose();
    }

    public async Task GuardedNoProviderCounts()
    {
        await using var c = await _guardedNoProviderCounts.OpenConnectionAsync().ConfigureAwait(false);
    }

    [BenchmarkCategory("open+close"), Benchmark(Baseline = true, Description = "raw NpgsqlDataSource")]
    public async Task Raw()
    {
        await using var c = await _raw.OpenConnectionAsync().ConfigureAwait(false);
    }

    // The same raw pool called through its own typed API (one async layer fewer than through DbDataSource, which the
    // website and the guard use): shows what the DbDataSource call shape itself costs.
    [BenchmarkCategory("open+close"), Benchmark(Description = "raw, typed NpgsqlDataSource API")]
    public async Task RawTyped()
    {
        await using var c = await ((NpgsqlDataSource)_raw).OpenConnectionAsync().ConfigureAwait(false);
    }

    // The call shape the guard uses on the provider (CreateConnection + OpenAsync, not OpenConnectionAsync), without the
    // guard: separates what that shape costs in the provider from what the guard's own code costs.
    [BenchmarkCategory("open+close"), Benchmark(Description = "raw, CreateConnection + OpenAsync")]
    public async Task RawCreateOpen()
    {
        await using var c = _raw.CreateConnection();
        await c.OpenAsync().ConfigureAwait(false);
    }

    // The same with a StateChange subscriber, which is how the guard learns of the close: the provider then raises
    // the event (and allocates its arguments) on every close.
    [BenchmarkCategory("open+close"), Benchmark(Description = "raw, CreateConnection + OpenAsync + StateChange")]
    public async Task RawCreateOpenStateChange()
    {
        await using var c = _raw.CreateConnection();
        await c.OpenAsync().ConfigureAwait(false);
        c.StateChange += IgnoreStateChange;
    }

    private static void IgnoreStateChange(object? sender, System.Data.StateChangeEventArgs e)
    {
    }

    [BenchmarkCategory("open+close"), Benchmark(Description = "guarded, leak detection off")]
    public async Task Guarded()
    {
        await using var c = await _guarded.OpenConnectionAsync().ConfigureAwait(false);
    }

    [BenchmarkCategory("open+close"), Benchmark(Description = "guarded, leak detection on")]
    public async Task GuardedLeakDetection()
    {
        await using var c = await _guardedLeaks.OpenConnectionAsync().ConfigureAwait(false);
    }

    // A realistic lease: open, one round trip, close. Shows the guard's cost against real work.
    [BenchmarkCategory("open+SELECT 1+close"), Benchmark(Baseline = true, Description = "raw NpgsqlDataSource + SELECT 1")]
    public Task<object?> RawQuery() => Query(_raw);

    [BenchmarkCategory("open+SELECT 1+close"), Benchmark(Description = "guarded, detection off + SELECT 1")]
    public Task<object?> GuardedQuery() => Query(_guarded);

    [BenchmarkCategory("open+SELECT 1+close"), Benchmark(Description = "guarded, detection on + SELECT 1")]
    public Task<object?> GuardedLeakDetectionQuery() => Query(_guardedLeaks);

    private static async Task<object?> Query(DbDataSource ds)
    {
        await using var c = await ds.OpenConnectionAsync().ConfigureAwait(false);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT 1";
        return await cmd.ExecuteScalarAsync().ConfigureAwait(false);
    }
}
