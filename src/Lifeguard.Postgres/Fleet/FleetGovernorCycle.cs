using Lifeguard.Fleet;
using Microsoft.Extensions.Logging;

namespace Lifeguard.Postgres.Fleet;

/// <summary>
/// The fleet governor around one heartbeat (Lifeguard:Fleet:Governor), in the order that keeps the published claims a
/// true upper bound on every instance's connections: inside the heartbeat's transaction, under the fleet's lock, the
/// step (<see cref="FleetGovernor.Step"/>) decides; a lower cap is enforced at once, before it is published, and the
/// idle connections above it are closed; the claim is written; a higher cap is enforced only once the claim behind it
/// is committed (<see cref="Committed"/>). A heartbeat that fails (<see cref="Failed"/>) keeps the cap as it is: the
/// instance never raises without a committed claim, and counts its own claim as the lower of the two it may have left.
/// One caller at a time (the fleet service).
/// </summary>
internal sealed partial class FleetGovernorCycle
{
    private readonly IGovernedPool _pool;
    private readonly int _reserve;
    private readonly ILogger _logger;
    private int _claim;
    private Pending? _pending;
    private volatile FleetGovernorState? _state;

    public FleetGovernorCycle(IGovernedPool pool, int reserve, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfNegative(reserve);
        _pool = pool;
        _reserve = reserve;
        _logger = logger;
    }

    /// <summary>The governor after the latest committed heartbeat; null before the first.</summary>
    public FleetGovernorState? State => _state;

    /// <summary>Whether a rebalance is under way here: the claim still covers connections above the cap, or the cap is
    /// short of the share while the others make room (the fleet service then heartbeats sooner).</summary>
    public bool Rebalancing => _state is { } s && (s.Claim > s.Cap || s.Cap < s.Share);

    /// <summary>The most connections the registry may hold as this instance's claim (what the next step starts from).</summary>
    public int Claim => _claim;

    /// <summary>Before the first heartbeat: a newcomer takes nothing it has not claimed, so it starts capped at what it
    /// already holds (0 for a fresh process) and waits for the fleet's room.</summary>
    public void Start()
    {
        _claim = Math.Min(_pool.Leased, _pool.MaximumPoolSize);
        _pool.SetCap(_claim);
    }

    /// <summary>The fleet features went off (no rights on the registry): nothing to coordinate with, so the cap is lifted
    /// and the pool is the application's own again.</summary>
    public void Release(string why)
    {
        _pool.SetCap(null);
        _state = null;
        LogReleased(why);
    }

    /// <summary>The step inside the heartbeat's transaction: decides, lowers the gate (and closes idle connections above
    /// it) before anything is published, and returns the row to write with the cap, claim and demand.</summary>
    public FleetHeartbeat BeforeCommit(FleetSignals before, FleetHeartbeat beat)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(beat);
        var self = before.Self;
        var others = before.Instances.Where(i => i.ApplicationName != self).ToList();
        var mine = before.Instances.FirstOrDefault(i => i.ApplicationName == self);
        // An instance without the governor may open its whole pool: its maximum is kept out of what is shared.
        var ungoverned = others.Where(i => i.Claim is null).Sum(i => i.PoolMax);
        var budget = Math.Max(0, before.Budget.Budget - _reserve - ungoverned);
        var poolMax = _pool.MaximumPoolSize;
        var wanted = Math.Clamp(beat.Wanted ?? poolMax, 1, Math.Max(1, poolMax));
        var members = others.Where(i => i.Claim is not null)
            .Select(i => new FleetMember(i.ApplicationName, i.PoolMax, i.Wanted ?? i.PoolMax, i.Claim!.Value))
            .Append(new FleetMember(self, poolMax, wanted, _claim))
            .ToList();
        // What it holds: its leases, or the server's sessions of its name when more (idle connections hold slots too).
        var sessions = mine?.SlotsHeld ?? 0;
        var decision = FleetGovernor.Step(self, budget, members, Math.Max(_pool.Leased, sessions));
        if (decision.Cap < _pool.Cap) _pool.SetCap(decision.Cap);
        // Idle connections above the cap: closed now, so the claim need only cover the leases still out.
        if (sessions > Math.Max(decision.Cap, _pool.Leased) && _pool.ClearIdle())
            decision = FleetGovernor.Step(self, budget, members, _pool.Leased);
        _pending = new Pending(decision, wanted, budget, before.At);
        return beat with { PoolMax = poolMax, Cap = decision.Cap, Claim = decision.Claim, Wanted = wanted };
    }

    /// <summary>The heartbeat committed: the claim is the registry's, and a higher cap may now be enforced.</summary>
    public void Committed()
    {
        if (_pending is not { } p) return;
        _pending = null;
        var d = p.Decision;
        _claim = d.Claim;
        var cap = _pool.Cap;
        if (d.Cap > cap) _pool.SetCap(d.Cap);
        var previous = _state;
        var changed = previous is null || previous.Cap != d.Cap;
        _state = new FleetGovernorState
        {
            Share = d.Target, Cap = d.Cap, Claim = d.Claim, Wanted = p.Wanted, Budget = p.Budget, Reason = d.Reason,
            ChangedAt = changed ? p.At : previous!.ChangedAt,
        };
        if (changed) LogCapChanged(previous?.Cap.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none", d.Cap, d.Target, d.Claim, p.Budget, d.Reason);
    }

    /// <summary>The heartbeat failed (the database lost, the commit unknown): the cap stays (a lowered one stays lowered,
    /// a raise never happens), and the claim counted from now on is the lower of the committed and the attempted one.</summary>
    public void Failed()
    {
        if (_pending is not { } p) return;
        _pending = null;
        _claim = Math.Min(_claim, p.Decision.Claim);
    }

    private sealed record Pending(GovernorDecision Decision, int Wanted, int Budget, DateTimeOffset At);

    [LoggerMessage(EventId = 7301, Level = LogLevel.Information, Message = "Lifeguard's fleet governor: cap {Previous} -> {Cap} (share {Share}, claim {Claim}, governed budget {Budget}): {Reason}.")]
    private partial void LogCapChanged(string previous, int cap, int share, int claim, int budget, string reason);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Warning, Message = "Lifeguard's fleet governor is off ({Why}): the cap on this instance's leases is lifted.")]
    private partial void LogReleased(string why);
}
