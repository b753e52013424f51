namespace Lifeguard.Diagnosis.Accuracy;

/// <summary>
/// Re-judges a recorded trace through today's <see cref="Diagnoser"/>: a fresh diagnoser per scenario, fed the recorded
/// signals in order, as the site's own diagnoser was. Seconds the drill read twice (the same sample) count once; seconds
/// without signals (a missed read) keep their place with no answer.
/// </summary>
internal static class CorpusReplay
{
    public static IReadOnlyList<AnsweredSecond> Replay(CorpusTrace trace, DiagnosisOptions? options = null)
    {
        var diagnoser = new Diagnoser(options);
        var answers = new List<AnsweredSecond>();
        DateTimeOffset? last = null;
        foreach (var s in trace.Seconds)
        {
            if (s.Signals is null || s.Signals.At == last) continue;
            last = s.Signals.At;
            var d = diagnoser.Observe(s.Signals);
            answers.Add(new AnsweredSecond(s.T, s.Phase, DiagnosisCauses.NameOf(d.Cause), d.Confidence));
        }
        return answers;
    }

    /// <summary>The replay second by second, for a person: time, phase, the answer, its confidence, the summary.</summary>
    public static IEnumerable<string> Explain(CorpusTrace trace, DiagnosisOptions? options = null)
    {
        var diagnoser = new Diagnoser(options);
        DateTimeOffset? last = null;
        foreach (var s in trace.Seconds)
        {
            if (s.Signals is null || s.Signals.At == last) continue;
            last = s.Signals.At;
            var d = diagnoser.Observe(s.Signals);
            yield return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{s.T,6:0.0} {s.Phase,-6} {DiagnosisCauses.NameOf(d.Cause),-20} {d.Confidence:0.00}  {d.Summary}");
        }
    }

    /// <summary>What the live site answered, second by second, as recorded.</summary>
    public static IReadOnlyList<AnsweredSecond> Live(CorpusTrace trace) =>
        [.. trace.Seconds.Where(s => s.LiveCause is not null).Select(s => new AnsweredSecond(s.T, s.Phase, s.LiveCause!, s.LiveConfidence))];
}

/// <summary>One second's answer: when, in which phase, the cause named and its stated confidence.</summary>
internal sealed record AnsweredSecond(double T, string Phase, string Cause, double Confidence);
