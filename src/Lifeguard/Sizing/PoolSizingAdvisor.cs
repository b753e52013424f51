using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Lifeguard.Sizing;

/// <summary>
/// Recommends Maximum/Minimum Pool Size and Timeout from measured load, a queueing model and the
/// server's limits. See <c>src/Lifeguard/Sizing/README.md</c> for the model and its assumptions.
/// </summary>
/// <remarks>
/// The pool is an M/M/c queue (<see cref="ErlangC"/>). When the hold time is more variable than
/// exponential (its p99 known), waits are scaled by the Allen–Cunneen factor (1 + Cs²) / 2 — the
/// usual M/G/c approximation. The size is then capped twice: by what the database can usefully run
/// in parallel (more connections past that add queueing inside the database, not throughput —
/// HikariCP's "About Pool Sizing") and by each instance's share of max_connections.
/// </remarks>
public static class PoolSizingAdvisor
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Computes the recommendation; throws <see cref="ValidationException"/> for invalid input.</summary>
    public static PoolSizingRecommendation Recommend(PoolSizingInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Validator.ValidateObject(input, new ValidationContext(input), validateAllProperties: true);
        if (input.WaitGoal < TimeSpan.Zero) throw new ValidationException("The wait goal cannot be negative.");
        if (input.RequestBudget <= TimeSpan.Zero) throw new ValidationException("The request budget must be positive.");

        var reasons = new List<string>();
        var lambda = input.ArrivalRatePerSecond;
        var hold = input.Hold;
        var offered = lambda * hold.Mean.TotalSeconds;
        var fleetOffered = offered * input.Instances;
        var variability = (1 + hold.SquaredCoefficientOfVariation) / 2;
        var quantileName = QuantileName(input.WaitGoalQuantile);

        reasons.Add(F($"Each instance sees {lambda:0.##} leases/s holding a connection {Ms(hold.Mean)} on average, so {offered:0.##} connections are busy on average (offered load; {fleetOffered:0.##} across {input.Instances} instance(s))."));
        if (Math.Abs(variability - 1) > 0.05)
        {
            reasons.Add(F($"Hold times are {(variability > 1 ? "more" : "less")} variable than the exponential the M/M/c model assumes (p99 {Ms(hold.P99)}), so predicted waits are scaled by {variability:0.##} (Allen–Cunneen)."));
        }

        int? useful = input.DatabaseSaturationConnections ?? (input.DatabaseCores is { } cores ? cores * 2 + 1 : null);
        int? fleetCap = input.DatabaseSaturationConnections ?? (input.DatabaseCores is { } c4 ? c4 * 4 : null);
        int? parallelCap = fleetCap is { } fc ? Math.Max(1, (int)Math.Ceiling((double)fc / input.Instances)) : null;
        if (useful is { } u)
        {
            reasons.Add(input.DatabaseSaturationConnections is not null
                ? F($"The database was measured to stop gaining throughput at {u} busy connections; the fleet is capped there ({parallelCap} per instance).")
                : F($"A database with {input.DatabaseCores} core(s) usefully runs about {u} connections at once (cores × 2 + 1); beyond cores × 4 = {fleetCap} extra connections add no throughput, so the fleet is capped at {fleetCap} ({parallelCap} per instance)."));
        }

        int? budgetPerInstance = null;
        if (input.ServerMaxConnections is { } maxConnections)
        {
            var budget = maxConnections - input.ReservedConnections - input.OtherClientConnections;
            budgetPerInstance = Math.Max(0, budget) / input.Instances;
            reasons.Add(F($"The server allows {maxConnections} connections, minus {input.ReservedConnections} reserved and {input.OtherClientConnections} used by other clients leaves {Math.Max(0, budget)}: {budgetPerInstance} per instance for {input.Instances} instance(s)."));
        }

        var cap = Min(parallelCap, budgetPerInstance);
        var smallest = SmallestMeeting(lambda, hold, input, variability);
        var smallestBurst = SmallestMeeting(lambda * input.BurstFactor, hold, input, variability);
        var timeout = RecommendTimeout(input.RequestBudget, reasons);

        if (budgetPerInstance is 0)
        {
            reasons.Add("There is not one connection per instance left in the server's budget: raise max_connections, put PgBouncer in front, or run fewer instances.");
            return Build(SizingVerdict.NoConnectionBudget, 0, 0, timeout);
        }

        if (useful is { } usefulParallelism && fleetOffered >= usefulParallelism)
        {
            var size = cap ?? Math.Max(1, (int)Math.Ceiling((double)usefulParallelism / input.Instances));
            reasons.Add(F($"The database is the bottleneck: the fleet offers {fleetOffered:0.##} connection-seconds per second but the database can usefully run only {usefulParallelism} at once. No pool size fixes that; a bigger pool only moves the queue into the database and makes every query slower. Shorten hold times (faster queries, shorter transactions, caching) or add database capacity."));
            reasons.Add(F($"Until then keep Maximum Pool Size at {size} and a short Timeout so excess requests fail fast instead of piling up."));
            return Build(SizingVerdict.DatabaseBottleneck, size, Math.Min(size, MinFor(offered)), timeout);
        }

        if (smallest is { } needed && (cap is null || needed <= cap))
        {
            var withBurst = Math.Max(needed, smallestBurst ?? needed);
            var size = cap is { } c ? Math.Min(c, withBurst) : withBurst;
            reasons.Add(F($"The smallest pool with {quantileName} wait ≤ {Ms(input.WaitGoal)} is {needed}; {(size > needed ? F($"{size} keeps the goal at {input.BurstFactor:0.##}× the measured rate (burst headroom)") : "it already covers the burst headroom")}{(size < withBurst ? F($" (burst headroom would need {withBurst}, capped at {size})") : "")}."));
            return Build(SizingVerdict.Recommended, size, Math.Min(size, MinFor(offered)), timeout);
        }

        var capped = cap ?? 1;
        var binding = budgetPerInstance is { } b && (parallelCap is null || b <= parallelCap) ? "the server's connection budget" : "the database's useful parallelism";
        reasons.Add(smallest is { } n
            ? F($"Meeting {quantileName} wait ≤ {Ms(input.WaitGoal)} needs {n} connections per instance, more than {binding} allows ({capped}); the recommendation stays at {capped} and the goal is not met. Shorten hold times, {(binding.Contains("budget", StringComparison.Ordinal) ? "raise max_connections or use PgBouncer" : "or add database capacity")}.")
            : F($"No pool size meets {quantileName} wait ≤ {Ms(input.WaitGoal)}; the recommendation stays at {capped}."));
        return Build(SizingVerdict.GoalNotMetWithinCap, capped, Math.Min(capped, MinFor(offered)), timeout);

        PoolSizingRecommendation Build(SizingVerdict verdict, int max, int min, TimeSpan acquireTimeout)
        {
            var stable = max > 0 && offered < max;
            var probability = max > 0 ? (lambda == 0 ? 0 : ErlangC.ProbabilityOfWait(offered, max)) : 1;
            TimeSpan? mean = stable && lambda > 0 ? Scale(ErlangC.MeanWait(lambda, hold.Mean, max), variability) : stable ? TimeSpan.Zero : null;
            TimeSpan? quantile = stable && lambda > 0 ? Scale(ErlangC.WaitQuantile(lambda, hold.Mean, max, input.WaitGoalQuantile), variability) : stable ? TimeSpan.Zero : null;
            reasons.Add(quantile is { } q
                ? F($"At {max} connection(s) the pool is {offered / max:P0} busy on average, a lease waits with probability {probability:P1}, and the predicted {quantileName} wait is {Ms(q)}.")
                : F($"At {max} connection(s) the pool cannot keep up: waits grow until requests time out."));
            reasons.Add(F($"Minimum Pool Size {min} keeps the connections that are busy on average open, so a quiet spell does not make the next burst pay for new connections."));
            return new PoolSizingRecommendation
            {
                Verdict = verdict,
                MaximumPoolSize = max,
                MinimumPoolSize = min,
                Timeout = acquireTimeout,
                OfferedLoad = offered,
                FleetOfferedLoad = fleetOffered,
                Utilization = max > 0 ? offered / max : double.PositiveInfinity,
                PredictedProbabilityOfWait = probability,
                PredictedMeanWait = mean,
                PredictedGoalQuantileWait = quantile,
                SmallestSizeMeetingGoal = smallest,
                UsefulParallelism = useful,
                ParallelismCapPerInstance = parallelCap,
                BudgetPerInstance = budgetPerInstance,
                Reasons = reasons,
            };
        }
    }

    /// <summary>Predicted wait at <paramref name="quantile"/> for a given pool size, with the same variability scaling the advisor uses; null when unstable.</summary>
    public static TimeSpan? PredictWait(double arrivalRatePerSecond, HoldTimeDistribution hold, int poolSize, double quantile)
    {
        ArgumentNullException.ThrowIfNull(hold);
        var wait = ErlangC.WaitQuantile(arrivalRatePerSecond, hold.Mean, poolSize, quantile);
        return wait == TimeSpan.MaxValue ? null : Scale(wait, (1 + hold.SquaredCoefficientOfVariation) / 2);
    }

    private static int? SmallestMeeting(double lambda, HoldTimeDistribution hold, PoolSizingInput input, double variability)
    {
        if (lambda == 0) return 1;
        var offered = lambda * hold.Mean.TotalSeconds;
        // Far above the load, Erlang C is ~0: a + 10·√a + 20 always meets any non-negative goal.
        var limit = (int)Math.Min(int.MaxValue - 1, Math.Ceiling(offered + 10 * Math.Sqrt(offered) + 20));
        for (var c = Math.Max(1, (int)Math.Floor(offered) + 1); c <= limit; c++)
        {
            var wait = ErlangC.WaitQuantile(lambda, hold.Mean, c, input.WaitGoalQuantile);
            if (wait != TimeSpan.MaxValue && Scale(wait, variability) <= input.WaitGoal) return c;
        }
        return null;
    }

    private static TimeSpan RecommendTimeout(TimeSpan requestBudget, List<string> reasons)
    {
        // Npgsql's Timeout is whole seconds (0 = wait forever). A third of the budget leaves the rest
        // for the queries themselves; waiting longer means the request has failed anyway.
        var seconds = Math.Max(1, (int)Math.Floor(requestBudget.TotalSeconds / 3));
        var timeout = TimeSpan.FromSeconds(seconds);
        reasons.Add(timeout < requestBudget
            ? F($"Timeout {seconds} s is a third of the {requestBudget.TotalSeconds:0.##} s request budget: a request still waiting for a connection by then fails fast with a clear pool-exhausted error instead of hanging.")
            : F($"Timeout {seconds} s is the provider's smallest, yet not shorter than the {requestBudget.TotalSeconds:0.##} s request budget; cancel the open with the request's token."));
        return timeout;
    }

    private static int MinFor(double offered) => Math.Max(1, (int)Math.Ceiling(offered));

    private static int? Min(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static TimeSpan Scale(TimeSpan wait, double factor) => TimeSpan.FromSeconds(wait.TotalSeconds * factor);

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString(t.TotalMilliseconds < 10 ? "0.##" : "0", Invariant) + " ms";

    private static string QuantileName(double q) => "p" + (q * 100).ToString("0.###", Invariant);

    private static string F(FormattableString s) => s.ToString(Invariant);
}
