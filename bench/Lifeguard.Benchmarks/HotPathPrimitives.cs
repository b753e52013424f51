using System.Data;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using OpenTelemetry.Metrics;

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

    private static readonly KeyValuePair<string, object?> s_poolTag = new("db.client.connection.pool.name", "bench");
    private System.Diagnostics.Metrics.Meter? _meter;
    private System.Diagnostics.Metrics.Histogram<double>? _histogram;
    private IDisposable? _provider;

    [GlobalSetup]
    public void Setup()
    {
        t_value = new object();
        // An OpenTelemetry SDK aggregating one histogram, as the website's /metrics does for the guard's two.
        _meter = new System.Diagnostics.Metrics.Meter("Lifeguard.Bench.Primitives");
        _histogram = _meter.CreateHistogram<double>("bench.duration", "s");
        _provider = OpenTelemetry.Sdk.CreateMeterProviderBuilder().AddMeter(_meter.Name)
            .AddReader(new BaseExportingMetricReader(new MetricsExport.DroppingExporter())).Build();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _provider?.Dispose();
        _meter?.Dispose();
    }

    [Benchmark(Description = "CPU counter read (rdtsc, the guard's clock)")]
    public long CounterRead() => Timing.CpuTimestampClock.IsAvailable ? Timing.CpuTimestampClock.Read() : 0;

    [Benchmark(Description = "new StackTrace(2, false) (leak detection)")]
    public StackTrace StackCapture() => new(2, fNeedFileInfo: false);

    [Benchmark(Description = "OTel SDK histogram Record, one tag")]
    public void HistogramRecordTagged() => _histogram!.Record(0.0001, s_poolTag);

    [Benchmark(Description = "OTel SDK histogram Record, no tag")]
    public void HistogramRecordUntagged() => _histogram!.Record(0.0001);

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
