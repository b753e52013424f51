namespace Lifeguard.Configuration;

/// <summary>How bad a finding is: any error fails `lifeguard check`.</summary>
public enum FindingSeverity
{
    /// <summary>Works, but is a likely cause of a future incident.</summary>
    Warning,

    /// <summary>Broken or dangerous: fails the check.</summary>
    Error,
}
