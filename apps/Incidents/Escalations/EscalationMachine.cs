namespace Incidents.Escalations;

/// <summary>
/// Walks a policy from its next step until a wait or the end, pure: what to do now, where to resume and when. Notify steps
/// are returned for the caller to turn into deliveries; repeats jump back while they have loops left.
/// </summary>
internal static class EscalationMachine
{
    /// <summary>One step taken or skipped now, with a note for the timeline.</summary>
    public sealed record Taken(int Index, EscalationStep Step, bool Skipped, string Note);

    /// <summary>The result: steps taken, the next step to run, the repeat counters, the wait before it (null: finished).</summary>
    public sealed record Advance(IReadOnlyList<Taken> Steps, int NextStep, Dictionary<int, int> Repeats, double? WaitMinutes)
    {
        /// <summary>No step is left.</summary>
        public bool Finished => WaitMinutes is null;
    }

    public static Advance Run(EscalationPolicy policy, int next, IReadOnlyDictionary<int, int> repeatsDone)
    {
        var repeats = new Dictionary<int, int>(repeatsDone);
        var taken = new List<Taken>();
        // validation guarantees a wait inside every repeat loop, so this ends; the bound guards a hand-made snapshot
        for (var guard = 0; next < policy.Steps.Count && guard < 10_000; guard++)
        {
            var s = policy.Steps[next];
            switch (s.Kind)
            {
                case StepKind.Wait:
                    taken.Add(new Taken(next, s, false, $"wait {s.Minutes:0.##} min"));
                    return new Advance(taken, next + 1, repeats, s.Minutes);
                case StepKind.Repeat:
                    var done = repeats.GetValueOrDefault(next);
                    if (done < s.Times)
                    {
                        repeats[next] = done + 1;
                        taken.Add(new Taken(next, s, false, $"repeat from step {s.RepeatFrom} ({done + 1} of {s.Times})"));
                        next = s.RepeatFrom - 1;
                    }
                    else
                    {
                        taken.Add(new Taken(next, s, true, $"repeat from step {s.RepeatFrom}: already repeated {s.Times} time(s)"));
                        next++;
                    }

                    break;
                default:
                    taken.Add(new Taken(next, s, false, s.Kind switch
                    {
                        StepKind.NotifyUser => $"notify user {s.Target}",
                        StepKind.NotifySchedule => $"notify the on-call of schedule {s.Target}",
                        _ => $"notify channel {s.Target}",
                    }));
                    next++;
                    break;
            }
        }

        return new Advance(taken, next, repeats, null);
    }
}
