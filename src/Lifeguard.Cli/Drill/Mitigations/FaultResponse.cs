using Lifeguard.Cli.Drill.Engine;
using Lifeguard.Cli.Drill.Faults;
using Npgsql;
using Lifeguard.Testing.Faults;
using Lifeguard.Diagnosis;

namespace Lifeguard.Cli.Drill.Mitigations;

/// <summary>
/// The operator's response to an injected fault, started once whatever asks first: the named cause (after
/// <see cref="DrillOptions.FaultAfterDiagnosis"/>), a demonstration that must run while the fault is in, or the fallback
/// that removes a fault never named before the phase ends. <see cref="FaultPhaseEnded"/> fires a second after the
/// mitigation (a short tail shows it taking effect).
/// </summary>
internal sealed class FaultResponse(DrillEnvironment env, IFaultInjector fault, NpgsqlConnection admin, int pool, Func<Uri> managementUrl, Func<string, bool> demonstrationFits, CancellationToken ct) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _endFaultPhase = new();
    private Task<DrillMitigation>? _mitigating;
    private Lifeguard.Diagnosis.DiagnosisReport? _demonstrate;
    private Timer? _fallback;

    /// <summary>Ends the fault phase: after the mitigation, or at once for a demonstration.</summary>
    public CancellationToken FaultPhaseEnded => _endFaultPhase.Token;

    /// <summary>The diagnosis a demonstration answers, when one took the fault phase's end; null otherwise.</summary>
    public Lifeguard.Diagnosis.DiagnosisReport? Demonstrate
    {
        get
        {
            lock (_gate) return _demonstrate;
        }
    }

    /// <summary>Removes the fault after <paramref name="after"/> if nothing named it by then, so blocked requests finish.</summary>
    public void ArmFallback(TimeSpan after) => _fallback = new Timer(_ => Mitigate(null), null, after, Timeout.InfiniteTimeSpan);

    /// <summary>The cause stood: a demonstration starts at once (its runs show the fault going on); a mitigation after
    /// <see cref="DrillOptions.FaultAfterDiagnosis"/>, answering the latest diagnosis when it still names the cause.</summary>
    public void OnNamed(Lifeguard.Diagnosis.DiagnosisReport named)
    {
        var after = demonstrationFits(DiagnosisCauses.NameOf(named.Cause)) ? TimeSpan.Zero : env.Options.FaultAfterDiagnosis;
        _ = Task.Delay(after, CancellationToken.None).ContinueWith(
            _ => MitigateOrDemonstrate(env.Phases.LatestDiagnosis is { } now && now.Cause == named.Cause ? now : named), TaskScheduler.Default);
    }

    private void MitigateOrDemonstrate(Lifeguard.Diagnosis.DiagnosisReport d)
    {
        if (demonstrationFits(DiagnosisCauses.NameOf(d.Cause)))
        {
            lock (_gate)
            {
                if (_mitigating is null)
                {
                    _demonstrate = d;
                    _fallback?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _endFaultPhase.Cancel();
                    return;
                }
            }
        }

        Mitigate(d);
    }

    /// <summary>Starts the mitigation that fits <paramref name="d"/> (none named: the fault removed), once.</summary>
    public void Mitigate(Lifeguard.Diagnosis.DiagnosisReport? d)
    {
        lock (_gate)
        {
            if (_mitigating is not null) return;
            _mitigating = Task.Run(() => MitigateAsync(d), CancellationToken.None);
        }
    }

    /// <summary>The mitigation, once started (call <see cref="Mitigate"/> first).</summary>
    public Task<DrillMitigation> CompletedAsync()
    {
        lock (_gate) return _mitigating ?? throw new InvalidOperationException("no mitigation was started");
    }

    private async Task<DrillMitigation> MitigateAsync(Lifeguard.Diagnosis.DiagnosisReport? d)
    {
        try
        {
            using var site = new SiteProbe(managementUrl());
            var mitigation = await DrillMitigations.ApplyAsync(d, named => new MitigationContext(named, fault, admin, pool, site, ct), fault, pool).ConfigureAwait(false);
            env.Narrator.Mitigation(env.Timeline.Now, mitigation.Action);
            return mitigation;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            env.Narrator.MitigationFailed(e.Message);
            return new DrillMitigation("mitigation failed: " + e.Message, pool, pool);
        }
        finally
        {
            _endFaultPhase.CancelAfter(TimeSpan.FromSeconds(1));
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Also when a phase failed: a fallback left armed would fire into a finished drill.
        if (_fallback is not null) await _fallback.DisposeAsync().ConfigureAwait(false);
        Task? mitigating;
        lock (_gate) mitigating = _mitigating;
        if (mitigating is not null)
        {
            try
            {
                await mitigating.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
            {
                // The drill already failed; its own error is the one reported.
            }
        }

        _endFaultPhase.Dispose();
    }
}
