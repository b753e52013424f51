namespace Lifeguard.Diagnosis.Accuracy;

/// <summary>
/// How one scenario was answered. Fault-seconds are the seconds of the fault phase. The verdict is the cause named on
/// most fault-seconds (healthy and unknown only when nothing else was named); the scenario is right when the verdict is
/// acceptable. A harmful answer is any second, during the fault or after it, naming a cause whose remedy hurts here.
/// </summary>
internal sealed record ScenarioScore
{
    public required string Scenario { get; init; }
    public required string Kind { get; init; }
    public required IReadOnlyList<string> Accept { get; init; }
    public required string Verdict { get; init; }
    public bool Right { get; init; }
    /// <summary>Seconds from the fault's first second to the first acceptable cause other than healthy; null when never.</summary>
    public double? FirstRightS { get; init; }
    public int FaultSeconds { get; init; }
    public double RightShare { get; init; }
    public double WrongShare { get; init; }
    public double UnknownShare { get; init; }
    /// <summary>Fault-seconds read healthy although healthy is not acceptable: the fault not (yet) seen.</summary>
    public double MissedShare { get; init; }
    /// <summary>Changes of the named cause during the fault.</summary>
    public int Flicker { get; init; }
    /// <summary>Seconds from the fault's removal to the first healthy second; null when never healthy again.</summary>
    public double? BackToHealthyS { get; init; }
    public int HarmfulSeconds { get; init; }
    public IReadOnlyList<string> HarmfulCauses { get; init; } = [];
    /// <summary>Controls: the share of every recorded second read healthy.</summary>
    public double HealthyShare { get; init; }
    public int Seconds { get; init; }

    public bool Harmful => HarmfulSeconds > 0;

    public static ScenarioScore Of(CorpusTraceHeader header, IReadOnlyList<AnsweredSecond> answers)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(answers);
        var accept = header.Accept.ToHashSet(StringComparer.Ordinal);
        var harmful = header.Harmful.Where(h => !accept.Contains(h)).ToHashSet(StringComparer.Ordinal);
        var fault = answers.Where(a => a.Phase == CorpusPhases.Fault).ToList();
        var faultStart = fault.Count > 0 ? fault[0].T : 0;
        var faultEnd = fault.Count > 0 ? fault[^1].T : 0;

        var named = fault.Where(a => a.Cause is not (DiagnosisCauses.Healthy or DiagnosisCauses.Unknown))
            .GroupBy(a => a.Cause).OrderByDescending(g => g.Count()).ThenBy(g => g.Min(a => a.T)).FirstOrDefault()?.Key;
        var verdict = named ?? (fault.Count(a => a.Cause == DiagnosisCauses.Unknown) > fault.Count(a => a.Cause == DiagnosisCauses.Healthy)
            ? DiagnosisCauses.Unknown
            : DiagnosisCauses.Healthy);

        int right = 0, wrong = 0, unknown = 0, missed = 0;
        foreach (var a in fault)
        {
            if (accept.Contains(a.Cause)) right++;
            else if (a.Cause == DiagnosisCauses.Unknown) unknown++;
            else if (a.Cause == DiagnosisCauses.Healthy) missed++;
            else wrong++;
        }

        var firstRight = fault.FirstOrDefault(a => a.Cause != DiagnosisCauses.Healthy && accept.Contains(a.Cause));
        var after = answers.Where(a => a.Phase == CorpusPhases.After).ToList();
        var healthyAgain = after.FirstOrDefault(a => a.Cause == DiagnosisCauses.Healthy);
        var harm = answers.Where(a => a.Phase != CorpusPhases.Normal && harmful.Contains(a.Cause)).ToList();
        double Share(int n) => fault.Count == 0 ? 0 : Math.Round(n / (double)fault.Count, 3);
        return new ScenarioScore
        {
            Scenario = header.Scenario,
            Kind = header.Kind,
            Accept = header.Accept,
            Verdict = verdict,
            Right = accept.Contains(verdict),
            FirstRightS = firstRight is null ? null : Math.Round(firstRight.T - faultStart, 1),
            FaultSeconds = fault.Count,
            RightShare = Share(right),
            WrongShare = Share(wrong),
            UnknownShare = Share(unknown),
            MissedShare = Share(missed),
            Flicker = fault.Zip(fault.Skip(1)).Count(p => p.First.Cause != p.Second.Cause),
            BackToHealthyS = healthyAgain is null ? null : Math.Round(healthyAgain.T - faultEnd, 1),
            HarmfulSeconds = harm.Count,
            HarmfulCauses = [.. harm.Select(a => a.Cause).Distinct()],
            HealthyShare = answers.Count == 0 ? 0 : Math.Round(answers.Count(a => a.Cause == DiagnosisCauses.Healthy) / (double)answers.Count, 3),
            Seconds = answers.Count,
        };
    }
}
