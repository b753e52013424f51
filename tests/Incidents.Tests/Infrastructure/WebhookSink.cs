using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Incidents.Tests.Infrastructure;

/// <summary>A real HTTP receiver on 127.0.0.1:random recording every JSON body; the first <c>failFirst</c> requests get a 500.</summary>
internal sealed class WebhookSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private WebhookSink(WebApplication app) => _app = app;

    public ConcurrentQueue<JsonObject> Received { get; } = new();

    public int Requests => Volatile.Read(ref _requests);

    public int FailFirst { get; set; }

    public Uri Url { get; private set; } = null!;

    public static async Task<WebhookSink> StartAsync(int failFirst = 0)
    {
        var b = WebApplication.CreateSlimBuilder();
        b.WebHost.UseUrls("http://127.0.0.1:0");
        b.Logging.ClearProviders();
        var app = b.Build();
        var sink = new WebhookSink(app) { FailFirst = failFirst };
        app.MapPost("/hook", async (HttpRequest req) =>
        {
            var n = Interlocked.Increment(ref sink._requests);
            if (n <= sink.FailFirst) return Results.StatusCode(500);
            var body = await JsonNode.ParseAsync(req.Body);
            sink.Received.Enqueue(body!.AsObject());
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        sink.Url = new Uri(new Uri(address), "/hook");
        return sink;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
