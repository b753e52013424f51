using System.Diagnostics;

namespace Lifeguard.Benchmarks;

/// <summary>Raw and guarded open+close measured in alternating short batches, so that load from other jobs on a shared
/// machine hits every variant alike: each round runs one batch of each (order rotated every round), the ratio to raw is
/// taken per round and its median over rounds reported. A complement to BenchmarkDotNet, whose benchmarks run one after
/// the other and so pick up load changes between them as ratio.</summary>
internal static class PairedLeaseRun
{
    public static void Run(int rounds, int batch)
    {
        var bench = new LeaseBenchmarks();
        bench.Setup();
        try
        {
            (string Name, Func<Task> Op)[] variants =
            [
                ("raw NpgsqlDataSource (as DbDataSource)", bench.Raw),
                ("raw, typed NpgsqlDataSource API", bench.RawTyped),
                ("raw, CreateConnection + OpenAsync", bench.RawCreateOpen),
                ("raw, same + StateChange subscriber", bench.RawCreateOpenStateChange),
                ("guarded, leak detection off", bench.Guarded),
                ("guarded, provider counts not read", bench.GuardedNoProviderCounts),
            ];
            var times = Stats.RotatedRounds(variants.Length, rounds, warmup: 200_000, batch, (i, n) => Batch(variants[i].Op, n));
            Console.WriteLine($"paired open+close: {rounds} rounds x {batch} ops per variant, order rotated each round");
            for (var i = 0; i < variants.Length; i++)
            {
                var ratio = new double[rounds];
                for (var r = 0; r < rounds; r++) ratio[r] = times[i][r] / times[0][r];
                // Preemption by other jobs only adds time: the fastest tenth of batches is the least disturbed estimate.
                Console.WriteLine($"{variants[i].Name,-42} median {Stats.Percentile(times[i], 0.5),6:F1} ns  p10 {Stats.Percentile(times[i], 0.1),6:F1} ns  " +
                                  $"ratio median {Stats.Percentile(ratio, 0.5):F3} (p25 {Stats.Percentile(ratio, 0.25):F3}, p75 {Stats.Percentile(ratio, 0.75):F3})");
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }

    /// <summary>One variant alone in this process (so the JIT's dynamic PGO profiles only its own path, as in an app that
    /// uses only raw or only guarded connections): prints the median ns per open+close of <paramref name="rounds"/>
    /// batches. eng-side pairing: alternate launches of raw and guarded and take the ratio of neighbours.</summary>
    public static void RunAlone(string variant, int rounds, int batch)
    {
        var bench = new LeaseBenchmarks();
        bench.Setup();
        try
        {
            Func<Task> op = variant switch
            {
                "raw" => bench.Raw,
                "guarded" => bench.Guarded,
                _ => throw new ArgumentException($"unknown variant '{variant}' (raw, guarded)", nameof(variant)),
            };
            var times = Stats.RotatedRounds(1, rounds, warmup: 200_000, batch, (_, n) => Batch(op, n));
            Console.WriteLine(System.FormattableString.Invariant($"{variant} alone: median {Stats.Percentile(times[0], 0.5):F1} ns"));
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
}
