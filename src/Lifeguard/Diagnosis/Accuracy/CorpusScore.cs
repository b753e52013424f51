using Lifeguard.Contracts;

namespace Lifeguard.Diagnosis.Accuracy;

/// <summary>
/// A whole corpus scored: accuracy over the fault scenarios, the controls' healthy seconds, harmful answers counted
/// apart, time to the right cause, the confusion matrix (scenario's cause by verdict) with precision and recall per
/// cause, and the stated confidence against the measured hit rate.
/// </summary>
internal sealed record CorpusScore
{
    public required IReadOnlyList<ScenarioScore> Scenarios { get; init; }
    public int FaultScenarios { get; init; }
    public int FaultScenariosRight { get; init; }
    public double Accuracy { get; init; }
    public int Controls { get; init; }
    public int ControlsRight { get; init; }
    /// <summary>Share of all control seconds read healthy.</summary>
    public double ControlHealthyShare { get; init; }
    /// <summary>Scenarios (faults and controls) with at least one harmful second.</summary>
    public int HarmfulScenarios { get; init; }
    public double? MedianFirstRightS { get; init; }
    public double? P95FirstRightS { get; init; }
    public double MeanFlicker { get; init; }
    /// <summary>Causes in matrix order (rows: the scenario's cause; columns: the verdict).</summary>
    public required IReadOnlyList<string> Causes { get; init; }
    public required IReadOnlyList<IReadOnlyList<int>> Confusion { get; init; }
    public required IReadOnlyList<CauseAccuracy> PerCause { get; init; }
    public required IReadOnlyList<ConfidenceBucket> Calibration { get; init; }

    public static CorpusScore Of(IReadOnlyList<(CorpusTraceHeader Header, IReadOnlyList<AnsweredSecond> Answers)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var scores = runs.Select(r => ScenarioScore.Of(r.Header, r.Answers)).ToList();
        var faults = scores.Where(s => s.Kind == CorpusKinds.Fault).ToList();
        var controls = scores.Where(s => s.Kind == CorpusKinds.Control).ToList();
        var times = faults.Where(s => s.FirstRightS is not null).Select(s => s.FirstRightS!.Value).Order().ToList();

        var causes = DiagnosisCauses.All.ToList();
        var matrix = causes.Select(_ => causes.Select(_ => 0).ToArray()).ToArray();
        foreach (var s in scores)
        {
            // A verdict among several acceptable causes is filed under itself; a wrong one under the scenario's first cause.
            var truth = s.Right ? s.Verdict : s.Accept[0];
            matrix[causes.IndexOf(truth)][causes.IndexOf(s.Verdict)]++;
        }

        var perCause = new List<CauseAccuracy>();
        for (var i = 0; i < causes.Count; i++)
        {
            var row = matrix[i].Sum();
            var column = matrix.Sum(r => r[i]);
            if (row == 0 && column == 0) continue;
            perCause.Add(new CauseAccuracy(causes[i], row, column, matrix[i][i],
                column == 0 ? null : Math.Round(matrix[i][i] / (double)column, 3),
                row == 0 ? null : Math.Round(matrix[i][i] / (double)row, 3)));
        }

        var controlSeconds = controls.Sum(s => s.Seconds);
        return new CorpusScore
        {
            Scenarios = scores,
            FaultScenarios = faults.Count,
            FaultScenariosRight = faults.Count(s => s.Right),
            Accuracy = faults.Count == 0 ? 0 : Math.Round(faults.Count(s => s.Right) / (double)faults.Count, 3),
            Controls = controls.Count,
            ControlsRight = controls.Count(s => s.Right),
            ControlHealthyShare = controlSeconds == 0 ? 0 : Math.Round(controls.Sum(s => s.HealthyShare * s.Seconds) / controlSeconds, 3),
            HarmfulScenarios = scores.Count(s => s.Harmful),
            MedianFirstRightS = times.Count == 0 ? null : Quantiles.OfSorted(times, 0.5),
            P95FirstRightS = times.Count == 0 ? null : Quantiles.OfSorted(times, 0.95),
            MeanFlicker = faults.Count == 0 ? 0 : Math.Round(faults.Average(s => s.Flicker), 2),
            Causes = causes,
            Confusion = [.. matrix.Select(r => (IReadOnlyList<int>)r)],
            PerCause = perCause,
            Calibration = ConfidenceBucket.Of(runs),
        };
    }
}

/// <summary>One cause's row of the matrix: scenarios that were this cause, verdicts that named it, both.</summary>
internal sealed record CauseAccuracy(string Cause, int Scenarios, int Named, int Right, double? Precision, double? Recall);

/// <summary>Seconds a cause was named with a stated confidence in [From, To), their mean stated confidence, and how
/// often the cause was acceptable.</summary>
internal sealed record ConfidenceBucket(double From, double To, int Seconds, int Right, double? MeanStated = null)
{
    public double? HitRate => Seconds == 0 ? null : Math.Round(Right / (double)Seconds, 3);

    private static readonly double[] Edges = [0, 0.4, 0.6, 0.7, 0.8, 0.9, 1.01];

    /// <summary>Every second a cause other than healthy or unknown was named while the fault was in (or, in a control, at
    /// any time: there every named cause is wrong), with its stated confidence and whether it was acceptable.</summary>
    public static IEnumerable<(double Confidence, bool Right)> Named(IReadOnlyList<(CorpusTraceHeader Header, IReadOnlyList<AnsweredSecond> Answers)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        foreach (var (header, answers) in runs)
        {
            foreach (var a in answers)
            {
                if (a.Cause is DiagnosisCauses.Healthy or DiagnosisCauses.Unknown) continue;
                if (!header.IsControl && a.Phase != CorpusPhases.Fault) continue;
                yield return (a.Confidence, !header.IsControl && header.Accept.Contains(a.Cause));
            }
        }
    }

    public static IReadOnlyList<ConfidenceBucket> Of(IReadOnlyList<(CorpusTraceHeader Header, IReadOnlyList<AnsweredSecond> Answers)> runs)
    {
        var seconds = new int[Edges.Length - 1];
        var right = new int[Edges.Length - 1];
        var stated = new double[Edges.Length - 1];
        foreach (var (confidence, ok) in Named(runs))
        {
            var i = Math.Max(0, Array.FindLastIndex(Edges, e => confidence >= e));
            i = Math.Min(i, seconds.Length - 1);
            seconds[i]++;
            stated[i] += confidence;
            if (ok) right[i]++;
        }
        return [.. Enumerable.Range(0, seconds.Length).Select(i => new ConfidenceBucket(Edges[i], Math.Min(1, Edges[i + 1]), seconds[i], right[i],
            seconds[i] == 0 ? null : Math.Round(stated[i] / seconds[i], 3)))];
    }
}
