using System.Data;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Lifeguard.Benchmarks;

/// <summary>What the guard's hot path is made of, each primitive alone: the floor the open+close overhead cannot go
/// below. Baseline is an empty call so the ratios read as "times nothing".</summary>
[Config(typeof(Config))]
public class HotPathPrimitives
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1));
            AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        }
    }

    private static readonly AsyncLocal<object?> s_local = new();
    [ThreadStatic] private static object? t_value;
    private long _counter;
    private readonly Probe _probe = new();
    private readonly StateChangeEventHandler _handler = static (_, _) => { };

    private sealed class Probe
    {
        public event StateChangeEventHandler? StateChange;
        public bool Any => StateChange is not null;
    }

    [GlobalSetup]
    public void Setup() => t_value = new object();

    [Benchmark(Baseline = true, Description = "empty")]
    public void Empty() { }

    [Benchmark(Description = "Stopwatch.GetTimestamp")]
    public long ClockRead() => Stopwatch.GetTimestamp();

    [Benchmark(Description = "DateTime.UtcNow")]
    public DateTime WallClockRead() => DateTime.UtcNow;

    [Benchmark(Description = "Environment.TickCount64 (ms, coarse)")]
    public long CoarseClockRead() => Environment.TickCount64;

    [Benchmark(Description = "AsyncLocal read (no context)")]
    public object? AsyncLocalRead() => s_local.Value;

    [Benchmark(Description = "Activity.Current read")]
    public Activity? ActivityRead() => Activity.Current;

    [Benchmark(Description = "[ThreadStatic] read")]
    public object? ThreadStaticRead() => t_value;

    [Benchmark(Description = "Interlocked.Increment (uncontended)")]
    public long AtomicIncrement() => Interlocked.Increment(ref _counter);

    [Benchmark(Description = "plain increment")]
    public long PlainIncrement() => ++_counter;

    [Benchmark(Description = "event subscribe + unsubscribe")]
    public bool EventAddRemove()
    {
        _probe.StateChange += _handler;
        _probe.StateChange -= _handler;
        return _probe.Any;
    }
}
