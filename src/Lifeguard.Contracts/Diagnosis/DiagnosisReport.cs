namespace Lifeguard.Diagnosis;

/// <summary>Why the application is slow or failing right now, with the numbers that show it and what to do: the body of
/// /lifeguard/diagnosis and what <c>lifeguard diagnose</c> prints.</summary>
public sealed record DiagnosisReport
{
    /// <summary>The cause named (its wire name, e.g. <c>pool_too_small</c>, in JSON).</summary>
    public required DiagnosisCause Cause { get; init; }
    /// <summary>One line for a page or an alert.</summary>
    public required string Summary { get; init; }
    /// <summary>The observations behind it, with numbers (root blocker's pid and query, slowed statements, slot holders...).</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];
    /// <summary>What fixes it.</summary>
    public string Remedy { get; init; } = "";
    /// <summary>The tempting fix that would make it worse.</summary>
    public string Avoid { get; init; } = "";
    /// <summary>Since when this cause holds.</summary>
    public DateTimeOffset Since { get; init; }
    /// <summary>0..1: how consistently it held over the window, and how complete the evidence is.</summary>
    public double Confidence { get; init; }
    /// <summary>Other causes that hold at the same time and follow from the root (e.g. database_cpu under slow_queries).</summary>
    public IReadOnlyList<DiagnosisCause> Consequences { get; init; } = [];
    /// <summary>The latest second's signals the diagnosis was made from.</summary>
    public DiagnosisSample? Signals { get; init; }
}
