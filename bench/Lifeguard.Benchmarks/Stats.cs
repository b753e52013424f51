namespace Lifeguard.Benchmarks;

internal static class Stats
{
    /// <summary>Warms every variant up once (JIT tiers, pools), then runs one batch of each per round, rotating which goes
    /// first, so load from other jobs falls on all variants alike. Returns nanoseconds per operation, [variant][round].</summary>
    public static double[][] RotatedRounds(int variants, int rounds, int warmup, int batch, Func<int, int, double> runBatch)
    {
        for (var i = 0; i < variants; i++) runBatch(i, warmup);
        var times = new double[variants][];
        for (var i = 0; i < variants; i++) times[i] = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            for (var k = 0; k < variants; k++)
            {
                var i = (k + r) % variants;
                times[i][r] = runBatch(i, batch);
            }
        }
        return times;
    }

    public static double Percentile(double[] xs, double q)
    {
        var sorted = xs.Order().ToArray();
        return sorted[(int)Math.Round(q * (sorted.Length - 1))];
    }
}
