using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using Lifeguard.Kit;
using Dapper;
using Lifeguard.AspNetCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Website.Accounts;
using Website.Dashboards;
using Website.Data;
using Website.Errors;

namespace Website;

/// <summary>The composition root: services and pipeline of the website, callable from Main and from tests.</summary>
public static class WebsiteApp
{
    /// <summary>Builds the site; <paramref name="configure"/> runs before services are read (tests set URLs and configuration there).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = CreateBuilder(args);
        configure?.Invoke(builder);
        var connectionString = MainConnectionString.Resolve(builder.Configuration);
        // Who this instance is in a fleet: its sessions are Lifeguard.Website/<instance> (docs/fleet.md).
        var identity = MainConnectionString.Identity(builder.Configuration);
        AppHost.CheckOptions<WebsiteOptions>(builder.Configuration, WebsiteOptions.Section);
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        var services = builder.Services;
        services.AddOptions<WebsiteOptions>().BindConfiguration(WebsiteOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        // The one pool of the site. Pages depend on DbDataSource only, so the guard can wrap it.
        services.AddSingleton(identity);
        services.AddSingleton(sp => new NpgsqlDataSourceBuilder(connectionString)
            .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
            .UseLifeguardIdentity(identity)
            .Build());
        services.AddSingleton<DbDataSource>(sp => sp.GetRequiredService<NpgsqlDataSource>());
        // Lifeguard decorates that DbDataSource: wait/hold metrics, leaks, attribution, optional admission
        // control; options from the "Lifeguard" section (e.g. Lifeguard__LeakDetectionThreshold=00:00:30).
        var guardSection = builder.Configuration.GetSection("Lifeguard");
        services.AddLifeguard(o =>
        {
            o.LeakDetectionThreshold = TimeSpan.FromSeconds(30);
            guardSection.Bind(o);
        });
        // Live diagnosis (part of AddLifeguard), thresholds from "Lifeguard:Diagnosis". Lifeguard.Postgres registered once,
        // reading the server behind that guarded pool: one reader on one connection of its own (not from the pool), settings
        // from "Lifeguard:Diagnosis:Postgres", whose samples the diagnoser and the server metrics share; SQLSTATE-classified
        // errors for the guard. ConnectionStrings:Diagnosis (optional): a least-privilege login for that reader (pg_monitor),
        // so it never runs as the role that owns the site's tables; the site's own sessions are still told apart by the main
        // connection string's Application Name, and query review (EXPLAIN needs the tables) uses the main one.
        services.AddOptions<Lifeguard.Diagnosis.DiagnosisOptions>().Bind(guardSection.GetSection("Diagnosis"));
        var poolerConsole = DiagnosisConnectionString.ResolvePooler(builder.Configuration);
        var postgres = services.AddLifeguardPostgres(o =>
        {
            o.ReaderConnectionString = DiagnosisConnectionString.Resolve(builder.Configuration, connectionString);
            o.PoolerConnectionString = poolerConsole;
            guardSection.GetSection("Diagnosis:Postgres").Bind(o.Reader);
        }).AddQueryReview();
        // Behind PgBouncer (Lifeguard:Diagnosis:Pooler:ConnectionString, its admin console): the diagnoser reads the pooler's
        // queue too. Unset: nothing probes for a pooler.
        if (poolerConsole is not null) postgres.AddPooler();
        // The server side of the budget (max_connections, reserved, connections by state) for the fleet alerts.
        if (builder.Configuration.GetValue("Lifeguard:ServerMetrics:Enabled", true))
        {
            postgres.AddServerMetrics(o => guardSection.GetSection("ServerMetrics").Bind(o));
        }
        services.AddSingleton<IPasswordHasher<AccountUser>, PasswordHasher<AccountUser>>();
        services.AddSingleton<AccountService>();
        // Sessions live in PostgreSQL: logout, expiry and lockout end them on the server (the cookie holds only an id).
        services.AddServerSessions();
        services.AddSingleton<DashboardService>();

        services.AddRazorPages();
        services.Configure<RouteOptions>(o => o.LowercaseUrls = true);
        // the kit's cookie and login policy: HttpOnly session-id cookie (__Host- over HTTPS), Lax so links from mail land logged in
        services.AddLoginCookies("lifeguard", SameSiteMode.Lax);
        services.AddAuthorization();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (ctx, _) =>
            {
                LoginPolicy.SetRetryAfter(ctx);
                return new ValueTask(ErrorPage.WriteAsync(ctx.HttpContext, StatusCodes.Status429TooManyRequests));
            };
            o.AddLoginLimit(RateLimitPolicies.AccountPost, ctx =>
            {
                var opts = ctx.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<WebsiteOptions>>().Value;
                return (opts.AccountPostPermitLimit, opts.AccountPostWindow);
            });
        });

        var app = builder.Build();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseStatusCodePages(ctx => ctx.HttpContext.Response.ContentLength is null && !ctx.HttpContext.Response.HasStarted
            ? ErrorPage.WriteAsync(ctx.HttpContext, ctx.HttpContext.Response.StatusCode)
            : Task.CompletedTask);
        app.UseSecurityHeaders();
        // behind a reverse proxy: its address in Website:KnownProxies, else X-Forwarded-For is ignored (the limiter's key)
        app.UseTrustedProxies(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<WebsiteOptions>>().Value.KnownProxies);
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        // The drill's leak fault: off (no route) unless Website:Faults:LeakRoute=true; loopback callers only.
        Website.Faults.LeakFaultSwitch.MapLeakFault(app);
        // /metrics (Prometheus), /health with details, /lifeguard (live pool page) and /lifeguard/state on the management
        // address only (Lifeguard:Endpoints:ManagementPort, 127.0.0.1:5081 by default; 404 here); a status-only /health here.
        app.MapLifeguard();
        return app;
    }

    /// <summary>The site's builder (content root and application name its own; see <see cref="AppHost.CreateBuilder"/>).</summary>
    internal static WebApplicationBuilder CreateBuilder(string[] args) => AppHost.CreateBuilder(args, typeof(WebsiteApp).Assembly);
}
