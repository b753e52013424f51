namespace Lifeguard.Diagnosis.Accuracy;

/// <summary>
/// The figures a corpus replay must not fall below: committed beside the traces, compared by the replay tests and by
/// `lifeguard drill --replay --baseline`.
/// </summary>
internal sealed record CorpusBaseline
{
    public int FaultScenarios { get; init; }
    public int FaultScenariosRight { get; init; }
    public int HarmfulScenarios { get; init; }
    public double ControlHealthyShare { get; init; }
    /// <summary>Scenarios answered right at the baseline: a regression names the ones now wrong.</summary>
    public IReadOnlyList<string> Right { get; init; } = [];

    public static CorpusBaseline From(CorpusScore score) => new()
    {
        FaultScenarios = score.FaultScenarios,
        FaultScenariosRight = score.FaultScenariosRight,
        HarmfulScenarios = score.HarmfulScenarios,
        ControlHealthyShare = score.ControlHealthyShare,
        Right = [.. score.Scenarios.Where(s => s.Right).Select(s => s.Scenario).Order(StringComparer.Ordinal)],
    };

    /// <summary>What got worse against this baseline, one line each; empty when nothing did.</summary>
    /// <param name="score">The replay or live run to judge.</param>
    /// <param name="controlTolerance">How far below the baseline the controls' healthy share may read: a replay is
    /// deterministic (a rounding's worth); a live run on a shared machine is not.</param>
    public IReadOnlyList<string> Regressions(CorpusScore score, double controlTolerance = 0.005)
    {
        ArgumentNullException.ThrowIfNull(score);
        var lines = new List<string>();
        if (score.FaultScenariosRight < FaultScenariosRight)
        {
            var now = score.Scenarios.Where(s => s.Right).Select(s => s.Scenario).ToHashSet(StringComparer.Ordinal);
            lines.Add($"fault scenarios right: {score.FaultScenariosRight}/{score.FaultScenarios}, baseline {FaultScenariosRight}/{FaultScenarios}; now wrong: {string.Join(", ", Right.Where(r => !now.Contains(r)))}");
        }
        if (score.HarmfulScenarios > HarmfulScenarios)
            lines.Add($"scenarios with a harmful answer: {score.HarmfulScenarios}, baseline {HarmfulScenarios}: {string.Join(", ", score.Scenarios.Where(s => s.Harmful).Select(s => $"{s.Scenario} ({string.Join("/", s.HarmfulCauses)})"))}");
        if (score.ControlHealthyShare < ControlHealthyShare - controlTolerance)
            lines.Add($"control seconds read healthy: {score.ControlHealthyShare:P1}, baseline {ControlHealthyShare:P1}");
        return lines;
    }
}
