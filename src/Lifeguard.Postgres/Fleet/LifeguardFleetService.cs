using Lifeguard.Diagnosis;
using Lifeguard.Fleet;
using Lifeguard.Hosting;
using Lifeguard.Hosting.Diagnosis;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Lifeguard.Postgres.Fleet;

/// <summary>
/// This instance's membership in the fleet: migrates the registry's schema once, then heartbeats its primary pool (pool
/// max, in use, waiting, wait p99, refused opens, diagnosis, the connections its load needs) every
/// <see cref="LifeguardFleetOptions.HeartbeatInterval"/> and publishes what it read for the diagnosis and /lifeguard.
/// A graceful stop deletes its row; a crashed instance leaves when its heartbeat is older than the expiry. A role
/// without the rights to create the schema turns the fleet features off with one logged error; the app is unaffected.
/// </summary>
internal sealed partial class LifeguardFleetService : BackgroundService
{
    private readonly FleetRegistry _registry;
    private readonly LifeguardPools _pools;
    private readonly LifeguardDiagnosisService? _diagnosis;
    private readonly FleetReadings _readings;
    private readonly LifeguardFleetOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FleetGovernorCycle? _governor;
    private PoolSignalSampler? _sampler;
    private bool _joined;
    private bool _failing;

    public LifeguardFleetService(FleetRegistry registry, LifeguardPools pools, LifeguardDiagnosisService? diagnosis, FleetReadings readings,
        LifeguardFleetOptions options, TimeProvider time, ILogger<LifeguardFleetService> logger, FleetGovernorCycle? governor = null)
    {
        _governor = governor;
        _registry = registry;
        _pools = pools;
        _diagnosis = diagnosis;
        _readings = readings;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>A step run inside each heartbeat's transaction, under the fleet's lock, with the fleet as read before this
    /// instance's write; it returns what to write (the governor sets cap and claim). Null: the heartbeat as measured.</summary>
    public Func<FleetSignals, FleetHeartbeat, FleetHeartbeat>? Step { get; set; }

    /// <summary>The fleet governor (Lifeguard:Fleet:Governor), or null when it is off.</summary>
    public FleetGovernorCycle? Governor => _governor;

    /// <summary>Runs one heartbeat now (the loop calls it every interval; tests may call it directly). With the governor,
    /// its step runs inside the transaction and a raised cap is enforced only after the commit.</summary>
    public async Task<FleetSignals> HeartbeatOnceAsync(CancellationToken ct)
    {
        FleetSignals fleet;
        try
        {
            var step = Step ?? (_governor is { } g ? g.BeforeCommit : null);
            fleet = await _registry.HeartbeatAsync(Measure(), step, ct).ConfigureAwait(false);
        }
        catch
        {
            _governor?.Failed();
            throw;
        }
        _governor?.Committed();
        _joined = true;
        if (_governor?.State is { } governed) fleet = fleet with { Governor = governed };
        _readings.Publish(fleet, _time.GetTimestamp());
        return fleet;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            _readings.TurnOff("Lifeguard:Fleet:Enabled is false");
            return;
        }
        await Task.Yield();
        // A newcomer under the governor takes no slot it has not claimed: capped at what it holds until its first heartbeat.
        _governor?.Start();
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        var migrated = false;
        do
        {
            try
            {
                if (!migrated)
                {
                    var applied = await _registry.MigrateAsync(stoppingToken).ConfigureAwait(false);
                    if (applied.Count > 0) LogMigrated(string.Join(", ", applied));
                    migrated = true;
                }
                var fleet = await HeartbeatOnceAsync(stoppingToken).ConfigureAwait(false);
                if (_failing) LogRecovered(fleet.Instances.Count);
                _failing = false;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                // No rights: stop for good, one error, the app carries on (docs/fleet.md says how to grant or pre-create).
                var why = $"the role may not create or use the schema lifeguard ({e.MessageText})";
                LogNoRights(e.MessageText);
                _readings.TurnOff(why);
                _governor?.Release(why);
                await _registry.DisposeAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                // The server may be down or full: the diagnosis names that; the registry retries at the next tick.
                if (!_failing) LogHeartbeatFailed(e.Message);
                _failing = true;
            }
        }
        while (await NextBeatAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    // While the governor rebalances (a lowered claim draining, or a cap short of its share waiting for room), the next
    // heartbeat comes after a quarter interval: a drained claim is published, and freed room taken, within a second.
    private async Task<bool> NextBeatAsync(PeriodicTimer timer, CancellationToken ct)
    {
        if (_governor?.Rebalancing == true)
        {
            await Task.Delay(_options.HeartbeatInterval / 4, _time, ct).ConfigureAwait(false);
            return true;
        }
        return await timer.WaitForNextTickAsync(ct).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!_joined) return;
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(TimeSpan.FromSeconds(3));
            await _registry.LeaveAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException or OperationCanceledException)
        {
            // It leaves when its heartbeat expires instead.
            LogLeaveFailed(e.Message);
        }
        finally
        {
            await _registry.DisposeAsync().ConfigureAwait(false);
        }
    }

    private FleetHeartbeat Measure()
    {
        var guard = _pools.Primary.Guard;
        _sampler ??= new PoolSignalSampler(guard);
        var p = _sampler.Sample();
        // The provider's maximum, not the governor's cap the sample reports: what the pool could open, and what it may ask for.
        var poolMax = guard.MaximumPoolSize;
        var seconds = Math.Max(_options.HeartbeatInterval.TotalSeconds, 0.001);
        // The pool's hold median stands in for the mean the advisor takes (the sampler keeps quantiles, not sums).
        var wanted = FleetDemand.Wanted(p.Leases / seconds, TimeSpan.FromMilliseconds(p.HoldP50Ms), TimeSpan.FromMilliseconds(p.HoldP99Ms),
            p.InUse, p.Waiters, poolMax);
        var cause = _diagnosis?.Current is { Signals: not null } d ? DiagnosisCauses.NameOf(d.Cause) : null;
        return new FleetHeartbeat(poolMax, p.InUse, p.Waiters, Math.Round(p.WaitP99Ms, 3), p.Errors.TooManyConnections, cause, Wanted: wanted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lifeguard's fleet registry: schema lifeguard migrated to version(s) {Versions}.")]
    private partial void LogMigrated(string versions);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lifeguard's fleet registry is off: {Reason}. This instance does not join the fleet and the fleet's budget is not in the diagnosis; the application is not affected. Grant CREATE on the database to the application's role, have an administrator create the schema (docs/fleet.md), or set Lifeguard:Fleet:Enabled=false.")]
    private partial void LogNoRights(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifeguard's fleet registry could not heartbeat ({Error}); retrying every interval.")]
    private partial void LogHeartbeatFailed(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lifeguard's fleet registry heartbeats again ({Instances} live instance(s)).")]
    private partial void LogRecovered(int instances);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifeguard's fleet registry could not remove this instance on stop ({Error}); it leaves when its heartbeat expires.")]
    private partial void LogLeaveFailed(string error);
}
