using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Threading.RateLimiting;
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

namespace Incidents;

/// <summary>The composition root of the incident service, callable from Main and from tests.</summary>
public static class IncidentsApp
{
    /// <summary>The login rate-limit policy.</summary>
    internal const string LoginPolicy = "login";

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
        services.AddSingleton(sp => new NpgsqlDataSourceBuilder(connectionString).UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>()).Build());
        services.AddSingleton<BearerTokens>();
        services.AddIncidentDomain(options, builder.Configuration);
        services.AddSingleton<UserStore>();
        services.AddSingleton<UiSessionStore>();
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
                o.XmlRepository = new PostgresXmlRepository(sp.GetRequiredService<NpgsqlDataSource>());
                o.XmlEncryptor = new KeyEncryptionKeyEncryptor(kek);
            }));
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/", Roles.ReadPolicy);
            o.Conventions.AllowAnonymousToPage("/Account/Login");
        });
        services.Configure<RouteOptions>(o => o.LowercaseUrls = true);
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "incidents.af";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                // the cookie holds a session id only; the session, the user and the role live in the database
                o.Cookie.Name = "incidents.auth";
                o.CookieManager = new HostPrefixCookieManager();
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/account/login";
                o.LogoutPath = "/account/logout";
                o.AccessDeniedPath = "/account/denied";
                o.ExpireTimeSpan = options.Login.SessionIdleTimeout;
                o.SlidingExpiration = true;
            })
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<UiSessionStore>((o, store) => o.SessionStore = store);
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.ReadPolicy, p => p.RequireAuthenticatedUser().RequireRole(Roles.Responder, Roles.Viewer))
            .AddPolicy(Roles.RespondPolicy, p => p.RequireAuthenticatedUser().RequireRole(Roles.Responder));
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = IntakeBounds.OnRejected;
            IntakeBounds.AddPolicies(o, options.Intake);
            o.AddPolicy(LoginPolicy, ctx => HttpMethods.IsPost(ctx.Request.Method)
                // per client address: the peer's, or X-Forwarded-For's when the peer is a configured proxy (Incidents:Login:KnownProxies)
                ? RateLimitPartition.GetFixedWindowLimiter(ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.Login.PermitLimit,
                    Window = options.Login.Window,
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter("get"));
        });

        var app = builder.Build();
        KeyRingCheck.Verify(app.Services.GetRequiredService<NpgsqlDataSource>(), kek);
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
        app.MapGet("/health", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(ct);
                await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
                return Results.Text("Healthy");
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                return Results.Text("Unhealthy", statusCode: 503);
            }
        });
        return app;
    }

    /// <summary>The service's builder (content root and application name its own; see <see cref="AppHost.CreateBuilder"/>).</summary>
    internal static WebApplicationBuilder CreateBuilder(string[] args) => AppHost.CreateBuilder(args, typeof(IncidentsApp).Assembly);
}
