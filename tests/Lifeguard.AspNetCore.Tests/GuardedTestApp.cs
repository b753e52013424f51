using System.Data.Common;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Lifeguard.AspNetCore.Tests;

/// <summary>A real ASP.NET app on 127.0.0.1 with a random port, guarded by Lifeguard, whose endpoints hold connections
/// on demand: /hold/{ms} keeps one open for ms milliseconds, /query runs one statement. The management address is on
/// a free port of its own unless the test configures the endpoints otherwise.</summary>
internal sealed class GuardedTestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GuardedTestApp(WebApplication app, Uri baseAddress, Uri? managementAddress, string? token)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Management = new HttpClient { BaseAddress = managementAddress ?? baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) Management.DefaultRequestHeaders.Authorization = new("Bearer", token);
    }

    /// <summary>The app's public address (anonymous).</summary>
    public HttpClient Client { get; }

    /// <summary>The management address (the public one when no management port is configured), with the token if any.</summary>
    public HttpClient Management { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<GuardedTestApp> StartAsync(string connectionString, Action<LifeguardOptions>? configure = null, bool useExceptionHandler = false,
        Action<LifeguardEndpointOptions>? endpoints = null, Action<WebApplication>? map = null, string urls = "http://127.0.0.1:0",
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<DbDataSource>(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddLifeguard(configure);
        var endpointOptions = new LifeguardEndpointOptions { ManagementPort = 0 };
        endpoints?.Invoke(endpointOptions);
        builder.Services.Configure<LifeguardEndpointOptions>(o =>
        {
            o.ManagementPort = endpointOptions.ManagementPort;
            o.ManagementHost = endpointOptions.ManagementHost;
            o.ListenOnManagementPort = endpointOptions.ListenOnManagementPort;
            o.Token = endpointOptions.Token;
            o.TokenFile = endpointOptions.TokenFile;
        });
        services?.Invoke(builder.Services);
        var app = builder.Build();
        if (useExceptionHandler)
        {
            app.UseExceptionHandler("/error");
            app.MapGet("/error", () => Results.Text("generic error page", statusCode: 500));
        }
        if (map is null) app.MapLifeguard();
        else map(app);
        app.MapGet("/hold/{ms:int}", async (int ms, DbDataSource db, CancellationToken ct) =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await Task.Delay(ms, ct);
            return Results.Text("held " + ms);
        });
        app.MapGet("/query", async (DbDataSource db, CancellationToken ct) =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM pg_stat_activity";
            return Results.Text(Convert.ToString(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture));
        });
        app.MapGet("/sleep/{ms:int}", async (int ms, DbDataSource db, CancellationToken ct) =>
        {
            // A statement that takes ms on the server: the time a server connection (the pooler's too) is busy.
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SELECT pg_sleep({ms / 1000.0})");
            await cmd.ExecuteNonQueryAsync(ct);
            return Results.Text("slept " + ms);
        });
        app.MapGet("/count/{table}", async (string table, DbDataSource db, CancellationToken ct) =>
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(table, "^[a-z0-9_]+$")) return Results.BadRequest();
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT count(*) FROM {table}";
            cmd.CommandTimeout = 60;
            return Results.Text(Convert.ToString(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture));
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var management = app.Services.GetRequiredService<LifeguardManagementAddress>();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => management.Port is not { } port || new Uri(a).Port != port);
        return new GuardedTestApp(app, new Uri(address), management.Url,
            endpointOptions.Token ?? (endpointOptions.TokenFile is { } f ? File.ReadAllText(f).Trim() : null));
    }

    public async Task<JsonElement> StateAsync() =>
        await Management.GetFromJsonAsync<JsonElement>("/lifeguard/state", TestContext.Current.CancellationToken);

    public async Task<(int Code, JsonElement Body)> HealthAsync()
    {
        using var response = await Management.GetAsync("/health", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, body);
    }

    /// <summary>
    /// Opens the pool's <paramref name="connections"/> physical connections before a test holds them: opening one (SCRAM,
    /// both sides hashing) can take longer than a 1 s pool Timeout on a busy machine, and a holder that failed to connect
    /// never holds. Concurrent holds force that many physical connections; retried until all succeed.
    /// </summary>
    public async Task OpenPhysicalConnectionsAsync(int connections) =>
        await Eventually(async () =>
        {
            var holds = Enumerable.Range(0, connections).Select(_ => Client.GetAsync("/hold/300", TestContext.Current.CancellationToken)).ToList();
            var ok = true;
            foreach (var hold in holds)
            {
                using var r = await hold;
                ok &= r.IsSuccessStatusCode;
            }

            return ok;
        }, $"{connections} physical connection(s) opened");

    /// <summary>Polls until <paramref name="condition"/> holds (the pool's waiting is real time).</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Condition never held: " + what);
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Management.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
