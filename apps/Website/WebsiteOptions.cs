using System.ComponentModel.DataAnnotations;

namespace Website;

/// <summary>Account-security settings, bound from the <c>Website</c> configuration section and validated at startup.</summary>
public sealed class WebsiteOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Website";

    /// <summary>Consecutive failed logins that lock an account.</summary>
    [Range(1, 100)]
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>How long a locked account stays locked.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Account form POSTs (login, register) allowed per client IP per window; more get HTTP 429.</summary>
    [Range(1, 100_000)]
    public int AccountPostPermitLimit { get; set; } = 10;

    /// <summary>The rate-limit window.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AccountPostWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Reverse proxies (IP addresses) whose X-Forwarded-For and -Proto are believed; empty: the headers are ignored
    /// and the connection's peer is the client (the login limiter's key).</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Orders generated for a newly registered workspace, so its dashboard is not empty.</summary>
    [Range(0, 100_000)]
    public int NewWorkspaceSampleOrders { get; set; } = 400;

    /// <summary>A session unused for this long ends (sliding; the auth cookie's ExpireTimeSpan).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A session ends this long after login however active it is.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan SessionAbsoluteLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long a node may reuse a session it looked up (zero: every request asks the database). A logout or lockout
    /// on the same node takes effect at once; on other nodes within this duration.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan SessionCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often each node deletes expired sessions and forgotten failure counters (in bounded batches).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Failed logins of an email (registered or not) are forgotten after this long without another failure.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan FailedLoginRetention { get; set; } = TimeSpan.FromDays(1);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SessionAbsoluteLifetime < SessionIdleTimeout)
        {
            yield return new ValidationResult(
                $"SessionAbsoluteLifetime ({SessionAbsoluteLifetime}) must not be shorter than SessionIdleTimeout ({SessionIdleTimeout}).",
                [nameof(SessionAbsoluteLifetime)]);
        }
    }
}
