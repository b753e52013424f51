using System.Globalization;
using System.Text.RegularExpressions;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Cli.Drill.Scenarios;
using Lifeguard.Diagnosis;
using Npgsql;
using static Lifeguard.Cli.Drill.Reporting.DrillNarrator;

namespace Lifeguard.Cli.Drill.Mitigations;

/// <summary>
/// What the drill does when the diagnosis names <c>pooler_saturated</c>, as an operator following its remedy would: a
/// holder named (a long transaction holding the pooler's server connections) is ended on the server; otherwise the
/// pooler's pool is raised on its admin console to the number the remedy gives. Never the application's pool.
/// </summary>
internal static partial class PoolerMitigations
{
    /// <summary>How long the drill waits for a diagnosis that names the queue but no holder yet (the rules name a
    /// holder once its statement has run for PoolerHolderSeconds) before it takes the pool-size remedy instead.</summary>
    private static readonly TimeSpan HolderWait = TimeSpan.FromSeconds(8);

    public static async Task<DrillMitigation?> ApplyAsync(MitigationContext c)
    {
        var pooler = c.Fault switch { PoolerShrink s => s.Pooler, PoolerHold h => h.Pooler, _ => null };
        var diagnosis = c.Diagnosis;
        if (NamedHolder(diagnosis) is null && c.Fault is PoolerHold)
        {
            // The queue is named and its holder not yet: the operator reads the diagnosis again before acting.
            var until = DateTime.UtcNow + HolderWait;
            while (DateTime.UtcNow < until && NamedHolder(diagnosis) is null)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), c.CancellationToken).ConfigureAwait(false);
                if (await c.Site.ReadDiagnosisAsync().ConfigureAwait(false) is { Cause: DiagnosisCause.PoolerSaturated } again) diagnosis = again;
            }
        }

        if (NamedHolder(diagnosis) is { } holder) return await EndHolderAsync(c, diagnosis, holder).ConfigureAwait(false);
        if (pooler is null || diagnosis.Signals?.Pooler is not { Reachable: true } q) return null;

        // The number the remedy gives ("from N to M"), else every active and waiting client served at once.
        var match = FromTo().Match(diagnosis.Remedy ?? "");
        var size = match.Success ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : q.ServersActive + q.ClientsWaiting;
        size = Math.Max(size, q.PoolSize + 1);
        await pooler.SetPoolSizeAsync(size, c.CancellationToken).ConfigureAwait(false);
        return Same(c, F($"raised PgBouncer's pool for {q.Database}/{q.User} from {q.PoolSize} to {size} on its admin console (SET default_pool_size = {size}), the number the diagnosis gave; the application's pool unchanged"));
    }

    /// <summary>The holder the diagnosis names: the server pid of its remedy's pg_terminate_backend, with what the
    /// pooler's signals say of it; null when it names none.</summary>
    public static PoolerHolder? NamedHolder(Lifeguard.Diagnosis.DiagnosisReport d)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (d.Cause != DiagnosisCause.PoolerSaturated || Terminate().Match(d.Remedy ?? "") is not { Success: true } m) return null;
        var pid = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return d.Signals?.Pooler?.Holders.FirstOrDefault(h => h.ServerPid == pid) ?? new PoolerHolder(pid, "", "?", 0, null);
    }

    // Ends the named holder's backends on the server, on the operator's direct session: every backend of its
    // application (a job holding several server connections is one holder), or its one pid when it has no name. The
    // site, the guard's own sessions and the operator are never ended.
    private static async Task<DrillMitigation> EndHolderAsync(MitigationContext c, Lifeguard.Diagnosis.DiagnosisReport d, PoolerHolder holder)
    {
        var app = holder.Application;
        var own = app.Length == 0 || app == d.Signals?.Server?.ApplicationName || app == FaultScenario.OperatorApplication
            || app.StartsWith("lifeguard-diagnoser", StringComparison.Ordinal) || app.StartsWith("Lifeguard.Website", StringComparison.Ordinal);
        // pg_terminate_backend in the select list, never in WHERE: the planner may evaluate a WHERE call before the
        // filter, on every backend (a superuser operator would end them all).
        await using var end = new NpgsqlCommand(own
            ? "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1"
            : "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid() ORDER BY pid", c.Admin);
        end.Parameters.Add(own ? new NpgsqlParameter { Value = holder.ServerPid } : new NpgsqlParameter { Value = app });
        var ended = new List<int>();
        await using (var reader = await end.ExecuteReaderAsync(c.CancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(c.CancellationToken).ConfigureAwait(false))
            {
                if (reader.GetBoolean(1)) ended.Add(reader.GetInt32(0));
            }
        }

        if (c.Fault is PoolerHold hold) await hold.DisposeAsync().ConfigureAwait(false);
        var which = own ? F($"server pid {holder.ServerPid}") : F($"application '{app}'");
        return Same(c, F($"ended the holder the diagnosis named ({which}, running {holder.ActiveSeconds:0} s): pg_terminate_backend on the server for {ended.Count} backend(s) [{string.Join(", ", ended)}] through the operator's direct session; the pooler's pool ({d.Signals?.Pooler?.PoolSize}) and the application's pool unchanged"));
    }

    private static DrillMitigation Same(MitigationContext c, string action) => new(action, c.PoolSize, c.PoolSize);

    [GeneratedRegex(@"from (\d+) to (\d+)")]
    private static partial Regex FromTo();

    [GeneratedRegex(@"pg_terminate_backend\((\d+)\)")]
    private static partial Regex Terminate();
}
