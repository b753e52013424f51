using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;

namespace Lifeguard.Kit;

/// <summary>
/// Over HTTPS the cookie is <c>__Host-NAME</c>, Secure, Path=/ and without Domain, which browsers only accept from a
/// secure origin and never let a sibling subdomain set; over plain HTTP (a loopback demo) it keeps its plain name.
/// </summary>
public sealed class HostPrefixCookieManager(ICookieManager inner) : ICookieManager
{
    /// <summary>Wraps ASP.NET Core's chunking cookie manager.</summary>
    public HostPrefixCookieManager() : this(new ChunkingCookieManager())
    {
    }

    /// <inheritdoc />
    public string? GetRequestCookie(HttpContext context, string key) => inner.GetRequestCookie(context, Name(context, key));

    /// <inheritdoc />
    public void AppendResponseCookie(HttpContext context, string key, string? value, CookieOptions options) =>
        inner.AppendResponseCookie(context, Name(context, key), value, Harden(context, options));

    /// <inheritdoc />
    public void DeleteCookie(HttpContext context, string key, CookieOptions options) =>
        inner.DeleteCookie(context, Name(context, key), Harden(context, options));

    private static string Name(HttpContext context, string key) => context.Request.IsHttps ? "__Host-" + key : key;

    private static CookieOptions Harden(HttpContext context, CookieOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!context.Request.IsHttps) return options;
        return new CookieOptions(options) { Secure = true, Path = "/", Domain = null };
    }
}
