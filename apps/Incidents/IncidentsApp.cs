using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using System.Text.Json;
using Lifeguard.Kit;
using Dapper;
using Incidents.Access;
using Incidents.Api;
using Incidents.Data;
using Incidents.Escalations;
using Incidents.Evidence;
using Incidents.Intake;
using Incidents.Measures;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using OpenTelemetry.Metrics;

namespace Incidents;

/// <summary>The composition root of the incident service, callable from Main and from tests.</summary>
public static class IncidentsApp
{
    /// <summary>The login rate-limit policy.</summary>
    internal const string LoginRateLimit = "login";

    /// <summary>Builds the service; <paramref name="configure"/> runs before services are read (tests set URLs and configuration there).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = CreateBuilder(args);
        configure?.Invoke(builder);
        var connectionString = IncidentsConnectionString.Resolve(builder.Configuration);
        var options = AppHost.CheckOptions<IncidentsOptions>(builder.Configuration, IncidentsOptions.Section, o => [o.Evidence, o.Escalation, o.Intake, o.Login]);
        RetiredSettings.Refuse(builder.Configuration);
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        var services = builder.Services;
        services.AddOptions<IncidentsOptions>().BindConfiguration(IncidentsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        // the service's one pool, under the guard like the website's (wait/hold metrics, leaks; options from the "Lifeguard"
        // section). Only DbDataSource is registered, so every lease (domain, key ring, sessions) goes through the guard.
        services.AddSingleton<DbDataSource>(sp => new NpgsqlDataSourceBuilder(connectionString).UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>()).Build());
        var guardSection = builder.Configuration.GetSection("Lifeguard");
        services.AddGuardedDataSource(o => guardSection.Bind(o));
        services.AddSingleton<IncidentMetrics>();
        // metrics through OpenTelemetry, as the website's: the guard's pool and the incident measures, scraped at /metrics
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddLifeguardInstrumentation()
            .AddMeter(IncidentMetrics.MeterName)
            // fresh numbers on every scrape: the exporter caches responses for 300 ms by default
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        services.AddSingleton<BearerTokens>();
        services.AddIncidentDomain(options, builder.Configuration);
        services.AddSingleton<UserStore>();
        services.AddSingleton<UiSessionStore>();
        services.AddHostedService<UiSessionCleanup>();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null; // labels keep their names
        });

        // one key ring for every replica (a cookie from one is valid on the others), in the service's database
        services.AddDataProtection().SetApplicationName("Lifeguard.Incidents");
        // encrypted at rest under a key kept outside the database (Incidents:KeyEncryptionKeyFile): a reader of the table
        // cannot mint a cookie
        var kek = KeyEncryptionKey.FromFile(options.KeyEncryptionKeyFile);
        services.AddSingleton(kek);
        services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>(sp =>
            new Microsoft.Extensions.Options.ConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o =>
            {
                o.XmlRepository = new PostgresXmlRepository(sp.GetRequiredService<DbDataSource>());
                o.XmlEncryptor = new KeyEncryptionKeyEncryptor(kek);
            }));
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/", Roles.ReadPolicy);
            o.Conventions.AllowAnonymousToPage("/Account/Login");
        });
        services.Configure<RouteOptions>(o => o.LowercaseUrls = true);
        // the kit's cookie and login policy; the cookie holds a session id only, the session, user and role live in the database
        services.AddLoginCookies("incidents", SameSiteMode.Strict, accessDeniedPath: "/account/denied")
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<UiSessionStore>((o, store) =>
            {
                o.SessionStore = store;
                o.ExpireTimeSpan = options.Login.SessionIdleTimeout;
                o.SlidingExpiration = true;
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.ReadPolicy, p => p.RequireAuthenticatedUser().RequireRole(Roles.Responder, Roles.Viewer))
            .AddPolicy(Roles.RespondPolicy, p => p.RequireAuthenticatedUser().RequireRole(Roles.Responder));
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (ctx, _) =>
            {
                LoginPolicy.SetRetryAfter(ctx);
                return ValueTask.CompletedTask;
            };
            IntakeBounds.AddPolicies(o, options.Intake);
            // per client address: the peer's, or X-Forwarded-For's when the peer is a configured proxy (Incidents:Login:KnownProxies)
            o.AddLoginLimit(LoginRateLimit, _ => (options.Login.PermitLimit, options.Login.Window));
        });

        var app = builder.Build();
        KeyRingCheck.Verify(app.Services.GetRequiredService<DbDataSource>(), kek);
        // fail at startup, not at the first request, on a token file that is missing or too short
        var tokens = app.Services.GetRequiredService<BearerTokens>();
        if (!tokens.Any)
        {
            app.Logger.LogWarning("No bearer token is configured (Incidents:TokenFile): the API and Alertmanager intake refuse every call");
        }

        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = ctx =>
            {
                ctx.Response.StatusCode = StatusCodes.Status500InternalServerError;
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                return ctx.Response.WriteAsync("The incident service failed to handle this request; see its log.");
            },
        });
        app.UseSecurityHeaders();
        app.UseTrustedProxies(options.Login.KnownProxies);
        app.UseStatusCodePages(async ctx =>
        {
            var r = ctx.HttpContext.Response;
            if (r.ContentLength is null && !r.HasStarted && !ctx.HttpContext.Request.Path.StartsWithSegments("/api"))
            {
                r.ContentType = "text/plain; charset=utf-8";
                await r.WriteAsync($"HTTP {r.StatusCode}");
            }
        });
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        app.MapIncidentApi();
        app.MapEscalationApi();
        // status only, for load balancers and run.sh: no numbers, no authentication
        app.MapDatabaseHealth();
        return app;
    }

    /// <summary>The service's builder (content root and application name its own; see <see cref="AppHost.CreateBuilder"/>).</summary>
    internal static WebApplicationBuilder CreateBuilder(string[] args) => AppHost.CreateBuilder(args, typeof(IncidentsApp).Assembly);
}
