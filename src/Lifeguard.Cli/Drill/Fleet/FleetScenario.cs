using System.Globalization;
using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Drill.Reporting;
using Lifeguard.Cli.Load;
using Lifeguard.Diagnosis;
using static Lifeguard.Cli.Drill.Reporting.DrillNarrator;

namespace Lifeguard.Cli.Drill.Fleet;

/// <summary>
/// `lifeguard drill --fault fleet`: several website instances on one small server, each pool fine alone, together over
/// the server's slots. Run 1, without the governor: normal traffic, then a surge of users on every instance; the server
/// refuses connections (53300) and every instance's live diagnosis must name connection_limit with the fleet's evidence
/// (who holds the slots, the size per instance that fits). Run 2, the mitigation: the same instances restarted with
/// Lifeguard:Fleet:Governor on, the same surge for as long: no refused connection, latency side by side.
/// </summary>
internal sealed class FleetScenario(DrillOptions options, DrillNarrator say, IncidentLink? incidents)
{
    public async Task<DrillReport> RunAsync(DateTimeOffset startedAt, CancellationToken ct)
    {
        await using var bench = await FleetBench.OpenAsync(options, options.FleetPgPort ?? options.PgPort + 2, options.FleetMaxConnections, say, ct).ConfigureAwait(false);
        var (cluster, env, sampler) = (bench.Cluster, bench.Env, bench.Sampler);
        await sampler.ClearRegistryAsync(ct).ConfigureAwait(false);

        var users = await bench.UsersPerInstanceAsync(options.FleetInstances, options.FleetUsersPerInstance, ct).ConfigureAwait(false);
        var pool = options.FleetPoolSize;
        say.Say(F($"the fleet: {options.FleetInstances} instances × Maximum Pool Size={pool} = {options.FleetInstances * pool} connections against {env.Budget} usable slots (max_connections {options.FleetMaxConnections}); {users} users per instance in the surge"));

        var run = new FleetRun(env, cluster, sampler, options, say, users);
        var without = await run.RunAsync(governor: false, surge: options.IncidentMax, stopAfterNamed: true, ct).ConfigureAwait(false);
        if (without.Named is { } named) incidents?.Detected(DrillFaults.Fleet, RootCause.From(named.Report), named.AfterS, named.ManagementUrl);
        await sampler.ClearRegistryAsync(ct).ConfigureAwait(false);
        say.Say("MITIGATION: the same instances restarted with Lifeguard:Fleet:Governor=true; the same surge for as long");
        var with = await run.RunAsync(governor: true, surge: TimeSpan.FromSeconds(without.Run.SurgeS), stopAfterNamed: false, ct).ConfigureAwait(false);

        var recovered = with.Run.RefusedByServer == 0 && with.Run.Instances.Sum(i => i.Refused) == 0 && with.Surge.Requests > 0 && with.Surge.ErrorRate <= 0.01;
        say.Say(recovered
            ? F($"recovered: with the governor no connection was refused ({with.Surge.Requests} requests, {with.Surge.Errors} errors, p99 {with.Surge.P99Ms:0} ms)")
            : F($"not recovered: with the governor {with.Run.RefusedByServer} connection(s) refused by the server, {with.Surge.Errors} of {with.Surge.Requests} requests failed"));

        var fleet = new DrillFleet(options.FleetInstances, pool, users, options.FleetMaxConnections, env.Budget, [without.Run, with.Run]);
        var comparison = FleetFindings.Governor(fleet, without.Surge, with.Surge, options.SlowThreshold);
        var normal = without.Normal!;
        var cause = without.Named is { } n ? RootCause.From(n.Report) : null;
        return new DrillReport
        {
            StartedAt = startedAt,
            Quick = options.Quick,
            Fault = DrillFaults.Fleet,
            FaultDescription = F($"{options.FleetInstances} instances with Maximum Pool Size={pool} each ({fleet.Demand} connections) on a server with {env.Budget} usable slots, {users} users per instance"),
            ExpectedCause = DrillFaults.ExpectedCause(DrillFaults.Fleet),
            DurationS = Math.Round(env.Timeline.Now, 1),
            Settings = env.Settings(pool, options.NormalRate, 0) with { Users = users * options.FleetInstances },
            Phases = [normal, without.Surge, with.Surge],
            Comparison = comparison,
            DetectedAfterS = without.DetectedAfterS,
            RootCauseAfterS = without.Named?.AfterS,
            ResolvedAfterS = recovered ? Math.Round(with.Surge.EndS - without.Surge.StartS, 1) : null,
            RootCause = cause,
            Mitigation = new DrillMitigation("restarted every instance with the fleet governor on (Lifeguard:Fleet:Governor=true), each capped to its share of the server's slots", pool, pool),
            Recovered = recovered,
            RecoveryP99Ms = with.Surge.P99Ms,
            BaselineP99Ms = normal.P99Ms,
            Timeline = env.Timeline.Samples,
            Fleet = fleet,
        };
    }
}
