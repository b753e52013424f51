using Lifeguard.Diagnosis;

namespace Lifeguard.Cli.Drill.Detection;

/// <summary>
/// The one detector every drill runs, fed one second at a time from the fault's (or the incident's) onset. One symptom
/// rule: a second affects users when no request completed, its p99 is over the SLO, or more than
/// <see cref="DrillThresholds.SymptomErrorRate"/> failed. A second with no completed request under steady offered load
/// counts: every user is waiting (a lock queue, a stopped server), the worst symptom there is, not a quiet second.
/// It reports three moments, each once:
/// <list type="bullet">
/// <item><see cref="DetectedAt"/>: the first sign, a symptom or a diagnosis other than healthy;</item>
/// <item><see cref="NamedAt"/>: the diagnoser named the same cause (not healthy, not unknown)
/// <see cref="DrillThresholds.StableCauseSeconds"/> seconds running, timed from the first of them (an operator acts on
/// a diagnosis that stands, not on one second's);</item>
/// <item><see cref="ConfirmedAt"/>: users affected <see cref="DrillThresholds.SustainedSymptomSeconds"/> seconds
/// running, with a cause named: the incident as an on-call engineer would be paged for it.</item>
/// </list>
/// </summary>
internal sealed class IncidentDetector(TimeSpan slo)
{
    private int _symptomSeconds;
    private string? _candidate;
    private int _candidateSeconds;
    private double? _candidateSince;

    /// <summary>Seconds from onset to the first sign; null until then.</summary>
    public double? DetectedAt { get; private set; }

    /// <summary>Whether the first sign was users affected (else the diagnoser's cause).</summary>
    public bool DetectedByUsers { get; private set; }

    /// <summary>The diagnosis whose cause stood, as it read when it had stood long enough; null until then.</summary>
    public Lifeguard.Diagnosis.DiagnosisReport? Named { get; private set; }

    /// <summary>Seconds from onset to the first second of the cause that stood.</summary>
    public double? NamedAt { get; private set; }

    /// <summary>Seconds from onset to a sustained symptom with a cause named.</summary>
    public double? ConfirmedAt { get; private set; }

    /// <summary>Whether the second's figures affect users (the one symptom rule).</summary>
    public static bool IsSymptom(DrillSample second, TimeSpan slo)
    {
        ArgumentNullException.ThrowIfNull(second);
        return second.Requests == 0 || second.P99Ms > slo.TotalMilliseconds || second.ErrorRate > DrillThresholds.SymptomErrorRate;
    }

    /// <summary>Takes one second: its figures, the site's diagnosis then (null when unread) and the onset's time
    /// (timeline seconds). Returns what became true at this second.</summary>
    public DetectorEvents Observe(DrillSample second, Lifeguard.Diagnosis.DiagnosisReport? diagnosis, double onsetT)
    {
        ArgumentNullException.ThrowIfNull(second);
        var now = Math.Round(second.T - onsetT, 1);
        var events = DetectorEvents.None;
        var symptom = IsSymptom(second, slo);
        _symptomSeconds = symptom ? _symptomSeconds + 1 : 0;

        if (DetectedAt is null && (symptom || diagnosis is { Cause: not DiagnosisCause.Healthy }))
        {
            DetectedAt = now;
            DetectedByUsers = symptom;
            events |= DetectorEvents.Detected;
        }

        var candidate = diagnosis is { Cause: not (DiagnosisCause.Healthy or DiagnosisCause.Unknown) } ? DiagnosisCauses.NameOf(diagnosis.Cause) : null;
        if (candidate is null)
        {
            _candidateSeconds = 0;
            _candidateSince = null;
        }
        else if (candidate == _candidate)
        {
            _candidateSeconds++;
        }
        else
        {
            _candidateSeconds = 1;
            _candidateSince = now;
        }

        _candidate = candidate;
        if (Named is null && candidate is not null && _candidateSeconds >= DrillThresholds.StableCauseSeconds)
        {
            Named = diagnosis;
            NamedAt = _candidateSince;
            events |= DetectorEvents.Named;
        }

        if (ConfirmedAt is null && Named is not null && _symptomSeconds >= DrillThresholds.SustainedSymptomSeconds)
        {
            ConfirmedAt = now;
            events |= DetectorEvents.Confirmed;
        }

        return events;
    }
}
