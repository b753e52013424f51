using Lifeguard.Configuration;

namespace Lifeguard.Testing;

/// <summary>Thrown by <see cref="PoolConfigurationAssert"/>; the message lists every finding with its fix.</summary>
public sealed class PoolConfigurationAssertException : Exception
{
    /// <summary>Creates the exception for the findings that failed the assertion.</summary>
    public PoolConfigurationAssertException(IReadOnlyList<PoolFinding> findings)
        : base(Describe(findings ?? throw new ArgumentNullException(nameof(findings)))) => Findings = findings;

    /// <summary>Creates an exception with a plain message.</summary>
    public PoolConfigurationAssertException() : this([]) { }

    /// <summary>Creates an exception with a plain message.</summary>
    public PoolConfigurationAssertException(string message) : base(message) => Findings = [];

    /// <summary>Creates an exception with a plain message and cause.</summary>
    public PoolConfigurationAssertException(string message, Exception innerException) : base(message, innerException) => Findings = [];

    /// <summary>The findings that failed the assertion.</summary>
    public IReadOnlyList<PoolFinding> Findings { get; }

    private static string Describe(IReadOnlyList<PoolFinding> findings) =>
        "Pool configuration is not valid:" + Environment.NewLine + string.Join(Environment.NewLine,
            findings.Select(f => $"  {f.Severity.ToString().ToLowerInvariant()} {f.RuleId} [{f.Subject}] {f.Message} Fix: {f.Fix}"));
}
