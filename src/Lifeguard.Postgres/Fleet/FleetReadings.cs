using Lifeguard.Fleet;

namespace Lifeguard.Postgres.Fleet;

/// <summary>The fleet registry's latest reading, shared by the fleet service (which writes it) and the server reader
/// (which hands it to the diagnoser inside <see cref="Lifeguard.Diagnosis.ServerSignals.Fleet"/>).</summary>
internal sealed class FleetReadings
{
    private volatile Snapshot? _latest;
    private volatile string? _off;

    /// <summary>The latest reading, or null when none is younger than <paramref name="maxAge"/> (a registry that stopped
    /// answering must not keep a stale fleet in the diagnosis).</summary>
    public FleetSignals? Fresh(TimeProvider time, TimeSpan maxAge) =>
        _latest is { } s && time.GetElapsedTime(s.ReadAt) <= maxAge ? s.Fleet : null;

    /// <summary>Why the fleet features are off (no rights, disabled); null while they are on.</summary>
    public string? Off => _off;

    public void Publish(FleetSignals fleet, long readAt) => _latest = new Snapshot(fleet, readAt);

    public void TurnOff(string why)
    {
        _off = why;
        _latest = null;
    }

    private sealed record Snapshot(FleetSignals Fleet, long ReadAt);
}
