using System.Diagnostics.Metrics;
using Lifeguard.Telemetry;

namespace Lifeguard.Postgres.Fleet;

/// <summary>The fleet governor's gauges (meter "Lifeguard", tagged with the pool's name like the pool's own):
/// lifeguard.fleet.share (this instance's fair share of the governed budget), lifeguard.fleet.cap (the cap it enforces
/// on its leases) and lifeguard.fleet.claim (what it published for the others to count). Nothing is reported before
/// the first committed heartbeat.</summary>
internal static class FleetGovernorMetrics
{
    public const string Share = "lifeguard.fleet.share";
    public const string Cap = "lifeguard.fleet.cap";
    public const string Claim = "lifeguard.fleet.claim";

    public static void Register(IMeterFactory meterFactory, string poolName, FleetGovernorCycle governor)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(governor);
        var meter = meterFactory.Create(LifeguardInstruments.MeterName);
        var pool = new KeyValuePair<string, object?>(LifeguardInstruments.PoolNameTag, poolName);
        meter.CreateObservableGauge(Share, () => Gauge(governor.State?.Share, pool), "{connection}",
            "This instance's fair share of the fleet's connection budget (the fleet governor).");
        meter.CreateObservableGauge(Cap, () => Gauge(governor.State?.Cap, pool), "{connection}",
            "The fleet governor's cap on this instance's connections leased at once.");
        meter.CreateObservableGauge(Claim, () => Gauge(governor.State?.Claim, pool), "{connection}",
            "The cap this instance published in the fleet registry (never below the connections it holds).");
    }

    private static Measurement<int>[] Gauge(int? value, KeyValuePair<string, object?> pool) =>
        value is { } v ? [new Measurement<int>(v, pool)] : [];
}
