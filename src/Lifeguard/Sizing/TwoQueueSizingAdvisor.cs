using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Lifeguard.Configuration;

namespace Lifeguard.Sizing;

/// <summary>
/// Sizes the two queues in series behind a pooler (PgBouncer): each instance's pool, and the pooler's pool per
/// database/user pair, within max_client_conn and the server's usable slots. See docs/pooler-checks.md.
/// </summary>
/// <remarks>
/// Both queues are M/M/c as in <see cref="PoolSizingAdvisor"/>. In transaction (statement) mode the pooler's server
/// connections are held per transaction (statement), not per lease, so its pool is sized on the fleet's total
/// transaction load; the database's parallelism cap applies there, at the connections the server actually runs.
/// The application's pool is sized on its own lease load and bounded by its share of max_client_conn. In session mode
/// every open application connection holds a server connection, so the pooler must carry the fleet's pools whole.
/// </remarks>
public static class TwoQueueSizingAdvisor
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Computes both sizes; throws <see cref="ValidationException"/> for invalid input.</summary>
    public static TwoQueueSizingRecommendation Recommend(TwoQueueSizingInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Validator.ValidateObject(input, new ValidationContext(input), validateAllProperties: true);
        var fleet = input.Fleet ?? throw new ValidationException("The fleet is required.");
        var n = fleet.Instances;
        var quantile = "p" + (fleet.WaitGoalQuantile * 100).ToString("0.###", Invariant);
        var serverHold = input.ServerHold ?? fleet.Hold;
        var reasons = new List<string>();
        var warnings = new List<string>();

        // The first queue: the goal alone, no server budget and no database cap (the app's pool talks to the pooler).
        var app = PoolSizingAdvisor.Recommend(Copy(fleet, fleet.ArrivalRatePerSecond, fleet.Hold, instances: n, withServer: false));
        var clientBudget = Math.Max(0, input.MaxClientConnections - input.OtherPoolerClients) / n;
        reasons.Add(F($"Application queue: each instance offers {fleet.ArrivalRatePerSecond:0.##} leases/s × {Ms(fleet.Hold.Mean)} = {app.OfferedLoad:0.##} busy connections; the smallest pool with {quantile} wait ≤ {Ms(fleet.WaitGoal)} is {app.SmallestSizeMeetingGoal?.ToString(Invariant) ?? "none"}, {app.MaximumPoolSize} with {fleet.BurstFactor:0.##}× burst headroom."));
        reasons.Add(F($"max_client_conn {input.MaxClientConnections} − {input.OtherPoolerClients} other pooler clients = {input.MaxClientConnections - input.OtherPoolerClients} client connections, {clientBudget} per instance for {n} instance(s)."));

        int? pairBudget = null;
        if (fleet.ServerMaxConnections is { } max)
        {
            var usable = Math.Max(0, max - fleet.ReservedConnections - fleet.OtherClientConnections);
            pairBudget = Math.Max(0, usable / input.DatabaseUserPairs - input.ReservePoolSize);
            reasons.Add(F($"Server: max_connections {max} − {fleet.ReservedConnections} reserved − {fleet.OtherClientConnections} other clients = {usable} usable slots; / {input.DatabaseUserPairs} database/user pair(s){(input.ReservePoolSize > 0 ? F($" − {input.ReservePoolSize} reserve_pool_size") : "")} = {pairBudget} server connections per pair."));
        }

        var appSize = Math.Min(app.MaximumPoolSize, clientBudget);
        if (appSize < app.MaximumPoolSize)
        {
            warnings.Add(F($"The application's pool needs {app.MaximumPoolSize} per instance but max_client_conn leaves {clientBudget}: raise max_client_conn to {(long)app.MaximumPoolSize * n + input.OtherPoolerClients} (client connections cost the pooler ~2 kB each, not server slots)."));
        }

        int poolerSize;
        int? poolerSmallest;
        double serverLoad;
        var verdict = SizingVerdict.Recommended;
        if (input.Mode == PoolerMode.Session)
        {
            // Session mode multiplexes nothing: an open application connection holds a server connection.
            serverLoad = app.OfferedLoad * n;
            var needed = (int)Math.Min(int.MaxValue, (long)appSize * n);
            poolerSmallest = needed;
            poolerSize = pairBudget is { } b ? Math.Min(needed, b) : needed;
            reasons.Add(F($"Pooler queue (session mode): every open application connection holds a server connection, so the pooler's pool must be {n} × {appSize} = {needed}."));
            if (poolerSize < needed)
            {
                warnings.Add(F($"Session mode needs {needed} server connections per pair but the server leaves {poolerSize}: use pool_mode = transaction, or Maximum Pool Size ≤ {Math.Max(0, poolerSize / n)} per instance."));
                verdict = SizingVerdict.GoalNotMetWithinCap;
            }
        }
        else
        {
            var unit = input.Mode == PoolerMode.Statement ? "statement" : "transaction";
            var rate = fleet.ArrivalRatePerSecond * n * input.TransactionsPerLease;
            var pooler = PoolSizingAdvisor.Recommend(Copy(fleet, rate, serverHold, instances: 1, withServer: true));
            serverLoad = pooler.OfferedLoad;
            poolerSmallest = pooler.SmallestSizeMeetingGoal;
            reasons.Add(F($"Pooler queue ({unit} mode): a server connection is held per {unit}, not per lease: {n} instance(s) × {fleet.ArrivalRatePerSecond:0.##} leases/s × {input.TransactionsPerLease:0.##} {unit}(s) = {rate:0.##}/s × {Ms(serverHold.Mean)} = {serverLoad:0.##} busy server connections; the smallest pool with {quantile} wait ≤ {Ms(fleet.WaitGoal)} is {poolerSmallest?.ToString(Invariant) ?? "none"}, {pooler.MaximumPoolSize} with burst headroom{(pooler.ParallelismCapPerInstance is { } cap ? F($" (database parallelism cap {cap})") : "")}."));
            poolerSize = pooler.MaximumPoolSize;
            if (pooler.Verdict == SizingVerdict.DatabaseBottleneck)
            {
                verdict = SizingVerdict.DatabaseBottleneck;
                warnings.Add(F($"The fleet's {serverLoad:0.##} busy server connections reach what the database usefully runs ({pooler.UsefulParallelism}): no pool size fixes that; shorten transactions or add database capacity."));
            }
            if (pairBudget is { } b && b < poolerSize)
            {
                warnings.Add(F($"The pooler's pool needs {poolerSize} server connections per pair but the server's slots leave {b}: raise max_connections to {fleet.ReservedConnections + fleet.OtherClientConnections + (long)(poolerSize + input.ReservePoolSize) * input.DatabaseUserPairs}, or shorten transactions."));
                poolerSize = b;
                if (verdict == SizingVerdict.Recommended) verdict = SizingVerdict.GoalNotMetWithinCap;
            }
            if (poolerSize > 0 && serverLoad >= poolerSize)
            {
                warnings.Add(F($"At {poolerSize} server connections the pooler cannot keep up with {serverLoad:0.##} busy: its queue (cl_waiting) grows until clients time out."));
            }
            if (poolerSize > appSize * n)
            {
                // More server connections than clients can never be used at once.
                poolerSize = appSize * n;
                reasons.Add(F($"The pooler's pool is capped at the fleet's {appSize * n} client connections: more could never be busy at once."));
            }
        }

        if (pairBudget is 0 || clientBudget == 0)
        {
            verdict = SizingVerdict.NoConnectionBudget;
            warnings.Add(clientBudget == 0 ? "max_client_conn leaves not one client connection per instance." : "The server leaves not one connection per database/user pair.");
        }
        else if (appSize < app.MaximumPoolSize && verdict == SizingVerdict.Recommended)
        {
            verdict = SizingVerdict.GoalNotMetWithinCap;
        }

        var appWait = appSize > 0 ? PoolSizingAdvisor.PredictWait(fleet.ArrivalRatePerSecond, fleet.Hold, appSize, fleet.WaitGoalQuantile) : null;
        var poolerWait = input.Mode == PoolerMode.Session || poolerSize == 0
            ? (poolerSize >= (long)appSize * n && poolerSize > 0 ? TimeSpan.Zero : null)
            : PoolSizingAdvisor.PredictWait(fleet.ArrivalRatePerSecond * n * input.TransactionsPerLease, serverHold, poolerSize, fleet.WaitGoalQuantile);
        reasons.Add(F($"Result: Maximum Pool Size {appSize} per instance ({n} × {appSize} = {appSize * n} pooler clients of {input.MaxClientConnections}), default_pool_size {poolerSize} ({input.DatabaseUserPairs} pair(s) × ({poolerSize} + {input.ReservePoolSize} reserve) = {(poolerSize + input.ReservePoolSize) * input.DatabaseUserPairs} server connections{(fleet.ServerMaxConnections is { } m ? F($" of max_connections {m}") : "")}); predicted {quantile} waits {Wait(appWait)} in the application's pool and {Wait(poolerWait)} in the pooler."));
        if (input.Mode != PoolerMode.Session && appSize * n > poolerSize)
        {
            reasons.Add(F($"Do not size the application's pools to the server: {appSize * n} application connections share {poolerSize} server connections because each holds one only while a {(input.Mode == PoolerMode.Statement ? "statement" : "transaction")} runs; a bigger application pool only adds clients to the pooler's queue."));
        }

        return new TwoQueueSizingRecommendation
        {
            Verdict = verdict,
            Mode = input.Mode,
            ApplicationPoolSize = appSize,
            ApplicationMinimumPoolSize = Math.Min(appSize, app.MinimumPoolSize),
            Timeout = app.Timeout,
            PoolerPoolSize = poolerSize,
            ApplicationSmallestMeetingGoal = app.SmallestSizeMeetingGoal,
            PoolerSmallestMeetingGoal = poolerSmallest,
            ApplicationOfferedLoad = app.OfferedLoad,
            ServerOfferedLoad = serverLoad,
            ClientBudgetPerInstance = clientBudget,
            ServerBudgetPerPair = pairBudget,
            FleetClientConnections = appSize * n,
            PoolerServerConnections = (poolerSize + input.ReservePoolSize) * input.DatabaseUserPairs,
            PredictedApplicationWait = appWait,
            PredictedPoolerWait = poolerWait,
            Warnings = warnings,
            Reasons = reasons,
        };
    }

    private static PoolSizingInput Copy(PoolSizingInput fleet, double rate, HoldTimeDistribution hold, int instances, bool withServer) => new()
    {
        ArrivalRatePerSecond = rate,
        Hold = hold,
        Instances = instances,
        WaitGoal = fleet.WaitGoal,
        WaitGoalQuantile = fleet.WaitGoalQuantile,
        RequestBudget = fleet.RequestBudget,
        BurstFactor = fleet.BurstFactor,
        // The database's parallelism caps the connections the server runs: the pooler's, not the application's.
        DatabaseCores = withServer ? fleet.DatabaseCores : null,
        DatabaseSaturationConnections = withServer ? fleet.DatabaseSaturationConnections : null,
    };

    private static string Wait(TimeSpan? t) => t is { } w ? Ms(w) : "unbounded";

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString(t.TotalMilliseconds < 10 ? "0.##" : "0", Invariant) + " ms";

    private static string F(FormattableString s) => s.ToString(Invariant);
}
