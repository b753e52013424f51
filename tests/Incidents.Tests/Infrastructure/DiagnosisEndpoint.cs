using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Incidents.Tests.Infrastructure;

/// <summary>
/// A management address serving <c>/lifeguard/diagnosis</c> with the JSON shape of Lifeguard's diagnoser (cause, summary,
/// evidence[], remedy, avoid, since, confidence), on 127.0.0.1:random. It stands in for the guarded app's management port.
/// </summary>
internal sealed class DiagnosisEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DiagnosisEndpoint(WebApplication app, string hostPort)
    {
        _app = app;
        HostPort = hostPort;
    }

    public string HostPort { get; }

    public int Requests;

    public static async Task<DiagnosisEndpoint> StartAsync(Func<string?> json, string? requiredToken = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        DiagnosisEndpoint? self = null;
        app.MapGet("/lifeguard/diagnosis", (HttpContext ctx) =>
        {
            Interlocked.Increment(ref self!.Requests);
            if (requiredToken is not null && ctx.Request.Headers.Authorization != "Bearer " + requiredToken) return Results.StatusCode(401);
            var body = json();
            return body is null ? Results.StatusCode(500) : Results.Text(body, "application/json");
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        self = new DiagnosisEndpoint(app, $"127.0.0.1:{address.Port}");
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
