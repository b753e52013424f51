namespace Lifeguard.Sizing;

/// <summary>
/// The M/M/c queue behind a connection pool: leases arrive at rate λ (Poisson), each holds a
/// connection for an exponentially distributed time of mean 1/μ, and c connections serve them.
/// </summary>
/// <remarks>
/// The probability of waiting is computed through the Erlang B recursion
/// B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)), then C = c·B / (c − a·(1 − B)),
/// which never forms a factorial or a power, so it stays finite and accurate for offered loads
/// of thousands of erlangs (the textbook sum of a^k/k! overflows a double near a = 170).
/// </remarks>
public static class ErlangC
{
    /// <summary>Probability that a lease has to wait (Erlang C) for <paramref name="servers"/> connections at offered load a = λ/μ.</summary>
    /// <returns>A value in [0, 1]; 1 when the queue is unstable (a ≥ c).</returns>
    public static double ProbabilityOfWait(double offeredLoad, int servers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offeredLoad);
        ArgumentOutOfRangeException.ThrowIfLessThan(servers, 1);
        if (offeredLoad == 0) return 0;
        if (offeredLoad >= servers) return 1;
        var b = 1.0;
        for (var k = 1; k <= servers; k++)
        {
            b = offeredLoad * b / (k + offeredLoad * b);
        }
        var c = servers * b / (servers - offeredLoad * (1 - b));
        return Math.Clamp(c, 0, 1);
    }

    /// <summary>Mean time a lease waits for a connection, E[W] = C / (cμ − λ).</summary>
    /// <returns>The mean wait; <see cref="TimeSpan.MaxValue"/> when the queue is unstable.</returns>
    public static TimeSpan MeanWait(double arrivalRatePerSecond, TimeSpan meanHold, int servers)
    {
        var (a, drain) = LoadAndDrainRate(arrivalRatePerSecond, meanHold, servers);
        if (a >= servers) return TimeSpan.MaxValue;
        if (a == 0) return TimeSpan.Zero;
        return TimeSpan.FromSeconds(ProbabilityOfWait(a, servers) / drain);
    }

    /// <summary>Probability that a lease waits longer than <paramref name="wait"/>: P(W &gt; t) = C·e^{−(cμ − λ)t}.</summary>
    public static double ProbabilityWaitExceeds(double arrivalRatePerSecond, TimeSpan meanHold, int servers, TimeSpan wait)
    {
        var (a, drain) = LoadAndDrainRate(arrivalRatePerSecond, meanHold, servers);
        if (a >= servers) return 1;
        return ProbabilityOfWait(a, servers) * Math.Exp(-drain * Math.Max(0, wait.TotalSeconds));
    }

    /// <summary>The wait that a fraction <paramref name="quantile"/> of leases stays under (e.g. 0.99 for p99); zero when fewer than that fraction wait at all.</summary>
    /// <returns>The wait; <see cref="TimeSpan.MaxValue"/> when the queue is unstable.</returns>
    public static TimeSpan WaitQuantile(double arrivalRatePerSecond, TimeSpan meanHold, int servers, double quantile)
    {
        if (quantile is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "Quantile must be in (0, 1).");
        var (a, drain) = LoadAndDrainRate(arrivalRatePerSecond, meanHold, servers);
        if (a >= servers) return TimeSpan.MaxValue;
        var tail = 1 - quantile;
        var c = ProbabilityOfWait(a, servers);
        // P(W > t) = C·e^{−drain·t} = tail  =>  t = ln(C / tail) / drain; no wait at all when C ≤ tail.
        if (c <= tail) return TimeSpan.Zero;
        return TimeSpan.FromSeconds(Math.Log(c / tail) / drain);
    }

    private static (double OfferedLoad, double DrainRate) LoadAndDrainRate(double arrivalRatePerSecond, TimeSpan meanHold, int servers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(arrivalRatePerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(servers, 1);
        if (meanHold <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(meanHold), meanHold, "Mean hold time must be positive.");
        var mu = 1 / meanHold.TotalSeconds;
        var a = arrivalRatePerSecond / mu;
        return (a, servers * mu - arrivalRatePerSecond);
    }
}
