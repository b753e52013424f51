namespace Lifeguard.Configuration;

/// <summary>
/// A connection string's pool settings in provider-neutral terms, as read at the edge by the
/// provider's own parser (for PostgreSQL: Lifeguard.Postgres). When the parser rejected the string,
/// <see cref="ProviderError"/> says why and the other values are the provider's defaults.
/// </summary>
public sealed record PoolConfiguration
{
    /// <summary>Where it came from: a key such as ConnectionStrings:Main, or "argument".</summary>
    public required string Name { get; init; }

    /// <summary>The server it connects to (host:port), lower-case; distinct strings with one server are distinct pools.</summary>
    public string? Server { get; init; }

    /// <summary>The database name, for messages.</summary>
    public string? Database { get; init; }

    /// <summary>Whether pooling is on.</summary>
    public bool Pooling { get; init; } = true;

    /// <summary>Maximum Pool Size.</summary>
    public int MaximumPoolSize { get; init; }

    /// <summary>Whether Maximum Pool Size was set explicitly (rather than left at the provider default).</summary>
    public bool MaximumPoolSizeSet { get; init; }

    /// <summary>Minimum Pool Size.</summary>
    public int MinimumPoolSize { get; init; }

    /// <summary>How long an open waits for a connection; <see cref="TimeSpan.Zero"/> means forever.</summary>
    public TimeSpan AcquireTimeout { get; init; }

    /// <summary>Whether the timeout was set explicitly.</summary>
    public bool AcquireTimeoutSet { get; init; }

    /// <summary>Maximum age of a pooled connection; <see cref="TimeSpan.Zero"/> means never recycled.</summary>
    public TimeSpan ConnectionLifetime { get; init; }

    /// <summary>No Reset On Close: whether the provider skips resetting session state when a connection returns to its pool.</summary>
    public bool NoResetOnClose { get; init; }

    /// <summary>Max Auto Prepare: statements the provider prepares automatically per connection (0 = off).</summary>
    public int MaxAutoPrepare { get; init; }

    /// <summary>The provider parser's complaint, or null when it accepted the string.</summary>
    public string? ProviderError { get; init; }

    /// <summary>The fix for <see cref="ProviderError"/>, when the edge knows it (e.g. the keyword's new name).</summary>
    public string? ProviderFix { get; init; }
}
