using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Diagnosis;
using Lifeguard.Cli.Drill.Scenarios;
using Npgsql;
using static Lifeguard.Cli.Drill.Reporting.DrillNarrator;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Mitigations;

/// <summary>
/// The drill's mitigations, keyed by the cause the diagnoser named (not by the fault the drill knows it injected): a
/// wrong diagnosis gets the wrong mitigation and shows as not recovered. None of them changes the pool size; the pool
/// drill's remedy (the advisor's size) is its scenario's own fixed phase.
/// </summary>
internal static class DrillMitigations
{
    /// <summary>Sessions that are the drill's or the guard's own, never a slot holder to end.</summary>
    private const string DiagnoserApplicationPrefix = "lifeguard-diagnoser";

    /// <summary>The table: cause -> what the drill does (<see cref="CauseMitigations"/> says it in words).</summary>
    public static IReadOnlyDictionary<DiagnosisCause, MitigationAction> ByCause { get; } = new MitigationAction[]
    {
        new(DiagnosisCause.LockContention, EndRootBlockerAsync),
        new(DiagnosisCause.ConnectionLimit, FreeSlotsAsync),
        new(DiagnosisCause.SlowQueries, RebuildIndexAsync),
        new(DiagnosisCause.DatabaseCpu, StopBurnerAsync),
        new(DiagnosisCause.DatabaseUnavailable, WaitForServerAsync),
        new(DiagnosisCause.ConnectionLeak, StopLeakAsync),
        new(DiagnosisCause.NetworkLatency, FixPathAsync),
        new(DiagnosisCause.PoolerSaturated, PoolerMitigations.ApplyAsync),
    }.ToDictionary(m => m.Cause);

    /// <summary>Applies the mitigation that fits <paramref name="diagnosis"/>; with no cause named, or none that fits,
    /// removes the fault and says so.</summary>
    public static async Task<DrillMitigation> ApplyAsync(Lifeguard.Diagnosis.DiagnosisReport? diagnosis, Func<Lifeguard.Diagnosis.DiagnosisReport, MitigationContext> context, IFaultInjector fault, int pool)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(fault);
        if (diagnosis is null)
        {
            await fault.DisposeAsync().ConfigureAwait(false);
            return new DrillMitigation("none: no cause was named; the drill removed the fault", pool, pool);
        }

        if (ByCause.TryGetValue(diagnosis.Cause, out var mitigation)
            && await mitigation.ApplyAsync(context(diagnosis)).ConfigureAwait(false) is { } done)
        {
            return done;
        }

        await fault.DisposeAsync().ConfigureAwait(false);
        return new DrillMitigation($"none fits: the diagnosis named {DiagnosisCauses.NameOf(diagnosis.Cause)}; the drill removed the fault", pool, pool);
    }

    private static async Task<DrillMitigation?> EndRootBlockerAsync(MitigationContext c)
    {
        if (c.Diagnosis.Signals?.Server?.RootBlocker is not { } root) return null;
        await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend($1)", c.Admin);
        kill.Parameters.Add(new NpgsqlParameter { Value = root.Pid });
        var ended = (bool)(await kill.ExecuteScalarAsync(c.CancellationToken).ConfigureAwait(false))!;
        return Same(c, F($"ended the root blocker named by the diagnosis: pg_terminate_backend({root.Pid}) ({root.State}, application '{root.Application}', transaction open {root.TransactionAgeSeconds:0} s){(ended ? "" : " — it had already ended")}"));
    }

    private static async Task<DrillMitigation?> FreeSlotsAsync(MitigationContext c)
    {
        var server = c.Diagnosis.Signals?.Server;
        // The site's own instances (service/instance, one service) and its fleet registry are not a holder to end.
        var service = server?.ApplicationName is { } app && app.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash ? app[..(slash + 1)] : null;
        var holder = server?.SlotHolders.FirstOrDefault(h => h.Application != server.ApplicationName
            && (service is null || !h.Application.StartsWith(service, StringComparison.Ordinal))
            && h.Application != "lifeguard-fleet"
            && !h.Application.StartsWith(DiagnoserApplicationPrefix, StringComparison.Ordinal)
            && h.Application != FaultScenario.OperatorApplication);
        if (holder is null) return Same(c, "none: the diagnosis names no slot holder other than the site");

        // Stop the client first (a fleet that reconnects takes the freed slots again), then end its sessions.
        if (c.Fault is SlotFiller filler) await filler.StopRefillingAsync().ConfigureAwait(false);
        var freed = await SlotFiller.FreeAsync(c.Admin, holder.Application, c.CancellationToken).ConfigureAwait(false);
        await c.Fault.DisposeAsync().ConfigureAwait(false);
        return Same(c, F($"freed {freed} slots: ended the sessions of '{holder.Application}' ({holder.User}@{holder.Client}), the largest slot holder the diagnosis names; fleet budget: {server!.UsableConnections} usable slots, the site's pool takes at most {c.PoolSize} of them (pool unchanged)"));
    }

    private static async Task<DrillMitigation?> RebuildIndexAsync(MitigationContext c) =>
        c.Fault is IndexDrop drop ? Same(c, "rebuilt the dropped index: " + await drop.RebuildAsync(c.CancellationToken).ConfigureAwait(false)) : null;

    private static async Task<DrillMitigation?> StopBurnerAsync(MitigationContext c)
    {
        if (c.Fault is not CpuBurner burner) return null;
        await burner.StopAsync().ConfigureAwait(false);
        return Same(c, "stopped the client burning the database's CPU ('" + CpuBurner.Application + "'); pool unchanged");
    }

    private static async Task<DrillMitigation?> WaitForServerAsync(MitigationContext c)
    {
        if (c.Fault is not DatabaseRestart restart) return null;
        await restart.WaitStartedAsync().ConfigureAwait(false);
        return Same(c, "none needed: waited for the server to come back; the pool reconnects by itself (no restart of the site, pool unchanged)");
    }

    private static async Task<DrillMitigation?> StopLeakAsync(MitigationContext c)
    {
        if (c.Fault is not LeakInjector leak) return null;
        await leak.StopAsync().ConfigureAwait(false);
        var (route, frame) = await c.Site.ReadLeakSourceAsync().ConfigureAwait(false);
        return Same(c, $"named the leaking route '{route}' (stack: {frame}) from the site's leak report; restarted the website with the leak switch off (pool unchanged)") with { RestartSite = true };
    }

    private static async Task<DrillMitigation?> FixPathAsync(MitigationContext c)
    {
        if (c.Fault is not NetworkDelayFault network) return null;
        await network.RestoreAsync().ConfigureAwait(false);
        return Same(c, "fixed the path: the relay's added delay removed (no pool size fixes round trips; pool unchanged)");
    }

    private static DrillMitigation Same(MitigationContext c, string action) => new(action, c.PoolSize, c.PoolSize);
}
