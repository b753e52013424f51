using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Website.Accounts;

/// <summary>Registration of server-side sessions for the site's auth cookie.</summary>
public static class ServerSessionsExtensions
{
    /// <summary>
    /// Puts the auth cookie's sessions in PostgreSQL (<see cref="SessionStore"/>), with the idle timeout from
    /// <see cref="WebsiteOptions.SessionIdleTimeout"/> as the cookie's sliding expiry, and the periodic cleanup.
    /// </summary>
    public static IServiceCollection AddServerSessions(this IServiceCollection services)
    {
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SessionCleanupService>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionCleanupService>());
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<SessionStore, IOptions<WebsiteOptions>>((o, store, website) =>
            {
                o.SessionStore = store;
                o.ExpireTimeSpan = website.Value.SessionIdleTimeout;
                o.SlidingExpiration = true;
            });
        return services;
    }
}
