using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http;

namespace Lifeguard.Kit;

/// <summary>
/// The host hardening both apps apply: security headers on every response, and forwarded headers believed only from
/// configured proxies (anyone can send X-Forwarded-For; believed from everyone, it picks the login limiter's bucket).
/// </summary>
public static class HostHardening
{
    /// <summary>The Content-Security-Policy both apps' pages fit in (styles inline, images from the site or data: URLs).</summary>
    public const string ContentSecurityPolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'";

    /// <summary>Adds nosniff, no framing, same-origin referrers and the CSP to every response.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(static (ctx, next) =>
        {
            var h = ctx.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "same-origin";
            h.ContentSecurityPolicy = ContentSecurityPolicy;
            return next(ctx);
        });
    }

    /// <summary>
    /// Honours X-Forwarded-For and -Proto only when the connection comes from one of <paramref name="knownProxies"/>
    /// (IP addresses); with none, the headers are ignored and the peer's address is the client's.
    /// </summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app, IEnumerable<string> knownProxies)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = TrustedProxyOptions(knownProxies);
        return options.KnownProxies.Count == 0 ? app : app.UseForwardedHeaders(options);
    }

    /// <summary>The forwarded-headers options for the given proxies (no default networks: loopback is not trusted either unless listed).</summary>
    public static ForwardedHeadersOptions TrustedProxyOptions(IEnumerable<string> knownProxies)
    {
        ArgumentNullException.ThrowIfNull(knownProxies);
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var p in knownProxies)
        {
            options.KnownProxies.Add(IPAddress.TryParse(p, out var ip) ? ip : throw new StartupConfigurationException($"KnownProxies: '{SafeText.Printable(p, 60)}' is not an IP address."));
        }

        return options;
    }
}
