using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;

namespace Website.Faults;

/// <summary>
/// The drill's leak fault (`lifeguard drill --fault leak`): with <c>Website:Faults:LeakRoute=true</c> the route
/// <c>GET /drill/leak</c> borrows a connection from the site's pool and never returns it — the bug a leak detector must
/// find. Off by default: the route does not exist (404). When on, it answers only loopback callers (403 otherwise) and
/// the site logs a warning at startup. Only the drill turns it on, for a site it started itself; never in production.
/// </summary>
public static class LeakFaultSwitch
{
    /// <summary>The configuration key that turns the fault on.</summary>
    public const string Key = "Website:Faults:LeakRoute";

    /// <summary>The leaking route.</summary>
    public const string Route = "/drill/leak";

    // Held until the process ends: that is the leak (restarting the site with the switch off is the cure).
    private static readonly ConcurrentBag<DbConnection> Leaked = [];

    /// <summary>Maps the route when the switch is on; otherwise nothing.</summary>
    public static void MapLeakFault(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Configuration.GetValue(Key, false)) return;
        app.Logger.LogWarning("FAULT SWITCH ON: {Route} leaks a database connection per call ({Key}=true; for `lifeguard drill --fault leak` only)", Route, Key);
        app.MapGet(Route, LeakAsync).AllowAnonymous();
    }

    private static async Task<IResult> LeakAsync(HttpContext context, DbDataSource dataSource, CancellationToken ct)
    {
        if (context.Connection.RemoteIpAddress is not { } ip || !IPAddress.IsLoopback(ip)) return Results.StatusCode(StatusCodes.Status403Forbidden);
        var c = await dataSource.OpenConnectionAsync(ct);
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "/* drill.leak */ SELECT 1";
            await cmd.ExecuteScalarAsync(ct);
        }

        Leaked.Add(c); // deliberately never disposed
        return Results.Text("leaked one connection\n");
    }
}
