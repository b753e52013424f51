using System.ComponentModel.DataAnnotations;

namespace Incidents;

/// <summary>The UI's login and sessions (section <c>Incidents:Login</c>): the same rules as the website's.</summary>
public sealed class LoginOptions
{
    /// <summary>Login POSTs allowed per client address per <see cref="Window"/>; more get HTTP 429.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 10;

    /// <summary>The rate-limit window.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Failed logins in a row that lock the account (from any address).</summary>
    [Range(1, 1000)]
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>How long a locked account stays locked.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A session unused this long ends.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>A session ends this long after its login, however active.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan SessionAbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Reverse proxies (IP addresses) whose X-Forwarded-For is believed; empty: ignored.</summary>
    public IList<string> KnownProxies { get; } = [];
}
