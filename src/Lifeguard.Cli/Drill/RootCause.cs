using Lifeguard.Diagnosis;
namespace Lifeguard.Cli.Drill;

/// <summary>The drill's root cause: the site's own diagnosis (one of the DiagnosisCauses) when users were first affected.</summary>
internal sealed record RootCause(string Kind, string Summary, IReadOnlyList<string> Evidence, string Remedy = "", string Avoid = "",
    IReadOnlyList<string>? Consequences = null)
{
    /// <summary>The root cause as the site's diagnosis states it.</summary>
    public static RootCause From(Lifeguard.Diagnosis.DiagnosisReport d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new RootCause(DiagnosisCauses.NameOf(d.Cause), d.Summary, d.Evidence, d.Remedy, d.Avoid, [.. d.Consequences.Select(DiagnosisCauses.NameOf)]);
    }
}
