using System.Data.Common;
using Lifeguard.Kit;
using Microsoft.Extensions.Options;

namespace Website.Accounts;

/// <summary>The site's <see cref="LoginCleanup"/>: table <c>sessions</c>, interval and retention from <see cref="WebsiteOptions"/>; each run also prunes the node's session cache.</summary>
public sealed class SessionCleanupService(
    DbDataSource dataSource,
    SessionStore store,
    TimeProvider time,
    IOptions<WebsiteOptions> options,
    ILogger<SessionCleanupService> logger) : LoginCleanup(dataSource, time, logger)
{
    /// <inheritdoc />
    protected override string SessionsTable => "sessions";

    /// <inheritdoc />
    protected override TimeSpan Interval => options.Value.CleanupInterval;

    /// <inheritdoc />
    protected override TimeSpan FailedLoginRetention => options.Value.FailedLoginRetention;

    /// <inheritdoc />
    public override Task<(int Sessions, int FailureCounters)> RunOnceAsync(CancellationToken ct)
    {
        store.PruneCache();
        return base.RunOnceAsync(ct);
    }
}
