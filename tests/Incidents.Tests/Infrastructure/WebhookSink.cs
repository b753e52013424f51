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

/// <summary>
/// A real HTTP receiver on 127.0.0.1:random recording every JSON body (a body whose Idempotency-Key it has seen is recorded in
/// <see cref="Arrivals"/> only); the first <c>failFirst</c> requests get a 500.
/// </summary>
internal sealed class WebhookSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte> _keys = new(StringComparer.Ordinal);
    private int _requests;

    private WebhookSink(WebApplication app) => _app = app;

    public ConcurrentQueue<JsonObject> Received { get; } = new();

    /// <summary>Every body that arrived with its Idempotency-Key header, in order, including repeats of one key.</summary>
    public ConcurrentQueue<(string? Key, JsonObject Body)> Arrivals { get; } = new();

    /// <summary>Awaited after a body is recorded and before the answer: a test holds a sender mid-delivery with it.</summary>
    public Func<JsonObject, Task>? BeforeAnswer { get; set; }

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
            var body = (await JsonNode.ParseAsync(req.Body))!.AsObject();
            sink.Arrivals.Enqueue((req.Headers["Idempotency-Key"].FirstOrDefault(), body));
            // a receiver that honours Idempotency-Key takes a repeated key once
            var key = req.Headers["Idempotency-Key"].FirstOrDefault();
            if (key is null || sink._keys.TryAdd(key, 0)) sink.Received.Enqueue(body);
            if (sink.BeforeAnswer is { } hold) await hold(body);
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
