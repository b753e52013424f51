using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Incidents.Intake;

/// <summary>
/// Per-caller rate limits for the API: webhook intake and the other API calls (and /metrics) each get a token bucket per
/// authenticated caller (the token's role name, never the token), so one sender's flood is answered 429 with Retry-After
/// while other callers, the UI and the service's own work go on.
/// </summary>
internal static class IntakeBounds
{
    /// <summary>The policy on POST /api/alertmanager.</summary>
    public const string IntakePolicy = "intake";

    /// <summary>The policy on every other API endpoint and /metrics.</summary>
    public const string ApiPolicy = "api";

    /// <summary>Adds both policies to the app's rate limiter options.</summary>
    public static void AddPolicies(RateLimiterOptions o, IntakeOptions bounds)
    {
        o.AddPolicy(IntakePolicy, ctx => Bucket(ctx, "intake", bounds.IntakeBurst, bounds.IntakePermitsPerSecond));
        o.AddPolicy(ApiPolicy, ctx => Bucket(ctx, "api", bounds.ApiBurst, bounds.ApiPermitsPerSecond));
    }

    // Partitioned by the caller the token names (the limiter runs before authorization, so the token is matched here;
    // the partition key is its holder's name, never the token). A call without a known token shares its address's
    // bucket, so a stream of made-up tokens cannot grow the partition table; authorization refuses it anyway.
    private static RateLimitPartition<string> Bucket(HttpContext ctx, string kind, int burst, int perSecond)
    {
        string? header = ctx.Request.Headers.Authorization;
        var holder = header is { Length: > 7 and <= 1024 } && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? ctx.RequestServices.GetRequiredService<Access.BearerTokens>().Match(header["Bearer ".Length..].Trim())
            : null;
        var who = holder is { } h ? "token:" + h.Name : "ip:" + (ctx.Connection.RemoteIpAddress?.ToString() ?? "?");
        return RateLimitPartition.GetTokenBucketLimiter(kind + "/" + who, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
