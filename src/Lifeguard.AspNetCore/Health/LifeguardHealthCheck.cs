using Lifeguard.Hosting.Diagnosis;
using Lifeguard.Diagnosis;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Lifeguard.AspNetCore.Health;

/// <summary>Pool health, led by the diagnosed cause (a named cause makes it at least Degraded and its description): Unhealthy after pool timeouts within the health window, Degraded while requests wait,
/// after admission rejections, or when the windowed wait p99 exceeds the SLO; Healthy otherwise.</summary>
/// <remarks>The diagnosis watches the primary pool only, so another pool's check is given none (null).</remarks>
internal sealed class LifeguardHealthCheck(GuardedDataSource guard, IOptions<LifeguardOptions> options, LifeguardDiagnosisService? diagnosis) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var s = guard.Snapshot();
        var o = options.Value;
        var data = new Dictionary<string, object>
        {
            ["pool"] = s.PoolName,
            ["inUse"] = s.InUse,
            ["idle"] = s.Idle,
            ["max"] = s.Max,
            ["waiters"] = s.Waiters,
            ["waitP99Ms"] = Math.Round(s.RecentWaitP99 * 1000, 3),
            ["waitP99SloMs"] = o.WaitP99Slo.TotalMilliseconds,
            ["recentTimeouts"] = s.RecentTimeouts,
            ["recentRejections"] = s.RecentRejections,
            ["timeouts"] = s.Timeouts,
            ["leaks"] = s.Leaks,
            ["activeLeaks"] = s.ActiveLeaks,
            ["windowSeconds"] = o.HealthWindow.TotalSeconds,
        };
        // The diagnosed cause comes first: "pool timeouts" alone would point at the pool when a lock or the server is to blame.
        var d = diagnosis?.Current;
        if (d is not null)
        {
            data["cause"] = DiagnosisCauses.NameOf(d.Cause);
            data["causeSince"] = d.Since;
            data["diagnosis"] = d.Summary;
        }
        HealthCheckResult result;
        if (s.RecentTimeouts > 0)
            result = HealthCheckResult.Unhealthy($"{s.RecentTimeouts} pool timeout(s) in the last {o.HealthWindow.TotalSeconds:0} s: requests failed waiting for a connection", data: data);
        else if (s.Waiters > 0)
            result = HealthCheckResult.Degraded($"{s.Waiters} request(s) waiting for a connection ({s.InUse}/{s.Max} in use)", data: data);
        else if (s.RecentRejections > 0)
            result = HealthCheckResult.Degraded($"{s.RecentRejections} request(s) rejected by admission control in the last {o.HealthWindow.TotalSeconds:0} s", data: data);
        else if (s.RecentWaitP99 > o.WaitP99Slo.TotalSeconds)
            result = HealthCheckResult.Degraded($"wait p99 {s.RecentWaitP99 * 1000:0.#} ms exceeds the SLO of {o.WaitP99Slo.TotalMilliseconds:0.#} ms", data: data);
        else
            result = HealthCheckResult.Healthy($"{s.InUse}/{s.Max} in use, nobody waiting", data);
        if (d is not null && d.Cause is not (DiagnosisCause.Healthy or DiagnosisCause.Unknown))
        {
            // At least Degraded (still HTTP 200): a database outage must not make every instance look dead to a load
            // balancer, which would turn it into a site outage; Unhealthy stays the pool's own verdict.
            var status = result.Status == HealthStatus.Unhealthy ? HealthStatus.Unhealthy : HealthStatus.Degraded;
            var pool = result.Status == HealthStatus.Healthy ? "" : " (" + result.Description + ")";
            result = new HealthCheckResult(status, $"{DiagnosisCauses.NameOf(d.Cause)}: {d.Summary}{pool}", data: data);
        }
        return Task.FromResult(result);
    }
}
