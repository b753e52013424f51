using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Lifeguard.Kit;

/// <summary>
/// The cookie and login rules both apps' UIs follow: an HttpOnly auth cookie that holds only a server-side session id,
/// <c>__Host-</c> over HTTPS, Secure when the request is; antiforgery on every form; login POSTs limited per client
/// address; the login, logout and denied pages at the same paths.
/// </summary>
public static class LoginPolicy
{
    /// <summary>Where the login form is.</summary>
    public const string LoginPath = "/account/login";

    /// <summary>Where logging out (a POST with antiforgery) is.</summary>
    public const string LogoutPath = "/account/logout";

    /// <summary>
    /// Cookie authentication as the default scheme with the auth cookie <c>{cookiePrefix}.auth</c> and the antiforgery
    /// cookie <c>{cookiePrefix}.af</c>. <paramref name="sameSite"/>: Strict for a UI nobody reaches by a link from
    /// elsewhere, Lax where links from mail or chat should land logged in. The session store and lifetime are the app's.
    /// </summary>
    public static AuthenticationBuilder AddLoginCookies(this IServiceCollection services, string cookiePrefix, SameSiteMode sameSite, string accessDeniedPath = LoginPath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(cookiePrefix);
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = cookiePrefix + ".af";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = cookiePrefix + ".auth";
            o.CookieManager = new HostPrefixCookieManager();
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = sameSite;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = LoginPath;
            o.LogoutPath = LogoutPath;
            o.AccessDeniedPath = accessDeniedPath;
        });
    }

    /// <summary>
    /// Adds the rate-limit policy <paramref name="policy"/>: POSTs get a fixed window per client address (the peer's, or
    /// X-Forwarded-For's when the peer is a trusted proxy, see <see cref="HostHardening.UseTrustedProxies"/>), sized by
    /// <paramref name="limit"/> at the first request of each address; other methods are not limited. A page opts in with
    /// <c>[EnableRateLimiting(policy)]</c>.
    /// </summary>
    public static RateLimiterOptions AddLoginLimit(this RateLimiterOptions options, string policy, Func<HttpContext, (int PermitLimit, TimeSpan Window)> limit)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(limit);
        return options.AddPolicy(policy, ctx =>
        {
            if (!HttpMethods.IsPost(ctx.Request.Method)) return RateLimitPartition.GetNoLimiter("not-a-post");
            var (permits, window) = limit(ctx);
            return RateLimitPartition.GetFixedWindowLimiter(ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = window,
                QueueLimit = 0,
            });
        });
    }

    /// <summary>
    /// Sets Retry-After on a rejected request whose limiter says when its window reopens (fixed windows and token buckets
    /// do), so a client waits exactly that long rather than a guess.
    /// </summary>
    public static void SetRetryAfter(OnRejectedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after))
        {
            context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
    }
}
