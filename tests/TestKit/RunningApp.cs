using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lifeguard.TestKit;

/// <summary>
/// An app's real composition root (its <c>XApp.Build(args, configure)</c>) started on Kestrel inside the test process:
/// test settings laid over appsettings.json, logging off (on with <paramref name="logVariable"/>=1), an optional clock.
/// </summary>
public sealed class RunningApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningApp(WebApplication app) => _app = app;

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Every address Kestrel listens on (a management port included).</summary>
    public IReadOnlyList<Uri> Addresses =>
        [.. _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a))];

    /// <summary>Builds the app with <paramref name="build"/> on <paramref name="url"/> and starts it.</summary>
    public static async Task<RunningApp> StartAsync(
        Func<string[], Action<WebApplicationBuilder>, WebApplication> build,
        IDictionary<string, string?> settings,
        TimeProvider? time = null,
        string environment = "Production",
        string url = "http://127.0.0.1:0",
        Action<IServiceCollection>? services = null,
        string? logVariable = null)
    {
        ArgumentNullException.ThrowIfNull(build);
        var app = build(["--environment", environment], b =>
        {
            b.WebHost.UseUrls(url);
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.ClearProviders();
            if (logVariable is not null && Environment.GetEnvironmentVariable(logVariable) == "1") b.Logging.AddConsole();
            if (time is not null) b.Services.AddSingleton(time);
            services?.Invoke(b.Services);
        });
        await app.StartAsync();
        return new RunningApp(app);
    }

    /// <summary>Stops and disposes the app.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
