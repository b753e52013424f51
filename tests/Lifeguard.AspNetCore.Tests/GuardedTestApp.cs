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
/// on demand: /hold/{ms} keeps one open for ms milliseconds, /query runs one statement.</summary>
internal sealed class GuardedTestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GuardedTestApp(WebApplication app, Uri baseAddress)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<GuardedTestApp> StartAsync(string connectionString, Action<LifeguardOptions>? configure = null, bool useExceptionHandler = false,
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<DbDataSource>(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddLifeguard(configure);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        if (useExceptionHandler)
        {
            app.UseExceptionHandler("/error");
            app.MapGet("/error", () => Results.Text("generic error page", statusCode: 500));
        }
        app.MapLifeguard();
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
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GuardedTestApp(app, new Uri(address));
    }

    public async Task<JsonElement> StateAsync() =>
        await Client.GetFromJsonAsync<JsonElement>("/lifeguard/state", TestContext.Current.CancellationToken);

    public async Task<(int Code, JsonElement Body)> HealthAsync()
    {
        using var response = await Client.GetAsync("/health", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, body);
    }

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
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
