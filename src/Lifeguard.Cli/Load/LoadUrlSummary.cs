namespace Lifeguard.Cli.Load;

/// <summary>One --url site's part of a load run (a fleet: which instance served, which refused).</summary>
internal sealed record LoadUrlSummary
{
    /// <summary>The page requested on this site.</summary>
    public required string Url { get; init; }

    /// <summary>Users logged in on this site (user k on site k mod N).</summary>
    public int Users { get; init; }

    public long Requests { get; init; }
    public long Ok { get; init; }
    public long Errors { get; init; }
    public required SortedDictionary<string, long> ErrorsByKind { get; init; }
    public double P50Ms { get; init; }
    public double P99Ms { get; init; }
}
