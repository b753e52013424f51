using System.Diagnostics;

namespace Lifeguard.Benchmarks;

/// <summary>Raw and guarded open+close measured in alternating short batches, so that load from other jobs on a shared
/// machine hits both alike: the ratio is taken per round (raw batch, guarded batch, order swapped every round) and the
/// median over rounds is reported. A complement to BenchmarkDotNet, whose benchmarks run one after the other.</summary>
internal static class PairedLeaseRun
{
    public static void Run(int rounds, int batch)
    {
        var bench = new LeaseBenchmarks();
        bench.Setup();
        try
        {
            // Warm up both paths (JIT tiers, pools).
            for (var i = 0; i < 200_000; i++)
            {
                bench.Raw().GetAwaiter().GetResult();
                bench.Guarded().GetAwaiter().GetResult();
            }
            var raw = new double[rounds];
            var guarded = new double[rounds];
            var ratio = new double[rounds];
            for (var r = 0; r < rounds; r++)
            {
                if (r % 2 == 0)
                {
                    raw[r] = Batch(bench.Raw, batch);
                    guarded[r] = Batch(bench.Guarded, batch);
                }
                else
                {
                    guarded[r] = Batch(bench.Guarded, batch);
                    raw[r] = Batch(bench.Raw, batch);
                }
                ratio[r] = guarded[r] / raw[r];
            }
            Console.WriteLine($"paired open+close: {rounds} rounds x {batch} ops per variant");
            Console.WriteLine($"raw     median {Median(raw):F1} ns/op");
            Console.WriteLine($"guarded median {Median(guarded):F1} ns/op");
            Console.WriteLine($"ratio   median {Median(ratio):F3}  (p25 {Percentile(ratio, 0.25):F3}, p75 {Percentile(ratio, 0.75):F3})");
            // Preemption by other jobs only ever adds time: the fastest tenth of batches is the least disturbed estimate.
            Console.WriteLine($"p10     raw {Percentile(raw, 0.1):F1} ns/op, guarded {Percentile(guarded, 0.1):F1} ns/op, ratio {Percentile(guarded, 0.1) / Percentile(raw, 0.1):F3}");
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static double Batch(Func<Task> op, int n)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++) op().GetAwaiter().GetResult();
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / n;
    }

    private static double Median(double[] xs) => Percentile(xs, 0.5);

    private static double Percentile(double[] xs, double q)
    {
        var sorted = xs.Order().ToArray();
        return sorted[(int)Math.Round(q * (sorted.Length - 1))];
    }
}
