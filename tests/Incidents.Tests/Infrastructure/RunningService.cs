using System.Net.Http.Headers;
using Incidents.Access;
using Microsoft.Extensions.DependencyInjection;

namespace Incidents.Tests.Infrastructure;

/// <summary>The real service (IncidentsApp.Build) on Kestrel at http://127.0.0.1:random, with a responder and a viewer token.</summary>
internal sealed class RunningService : IAsyncDisposable
{
    public const string Token = "test-responder-token-0123456789abcdef";
    public const string ViewerToken = "test-viewer-token-0123456789abcdefgh";
    public const string Password = "Test-Password-123";
    public const string ResponderEmail = "responder@lifeguard.local";
    public const string ViewerEmail = "viewer@lifeguard.local";

    private readonly RunningApp _app;

    private RunningService(RunningApp app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<RunningService> StartAsync(string connectionString, IDictionary<string, string?>? settings = null, TimeProvider? time = null, string url = "http://127.0.0.1:0")
    {
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Incidents"] = connectionString,
            ["Incidents:Token"] = Token,
            ["Incidents:ViewerToken"] = ViewerToken,
            ["Incidents:Login:PermitLimit"] = "100000",
            ["Incidents:KeyEncryptionKeyFile"] = TestKek.Path,
            ["Incidents:Evidence:PollInterval"] = "00:00:00.200",
            ["Incidents:Evidence:RetryDelay"] = "00:00:00.200",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        var app = await RunningApp.StartAsync(IncidentsApp.Build, values, time, url: url, logVariable: "INCIDENTS_TEST_LOG");
        var users = app.Services.GetRequiredService<UserStore>();
        await users.SetAsync(ResponderEmail, Roles.Responder, Password, CancellationToken.None);
        await users.SetAsync(ViewerEmail, Roles.Viewer, Password, CancellationToken.None);
        return new RunningService(app, app.Addresses[0]);
    }

    public HttpClient Api(string? token = Token)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
