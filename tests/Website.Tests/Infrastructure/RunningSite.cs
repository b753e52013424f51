using Microsoft.Extensions.DependencyInjection;

namespace Website.Tests.Infrastructure;

/// <summary>The real site (WebsiteApp.Build) on Kestrel at http://127.0.0.1:random, its management address on another
/// random port.</summary>
internal sealed class RunningSite : IAsyncDisposable
{
    private readonly RunningApp _app;

    private RunningSite(RunningApp app, Uri baseAddress, Uri managementAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        ManagementAddress = managementAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Where /metrics, /health with details and /lifeguard answer.</summary>
    public Uri ManagementAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<RunningSite> StartAsync(
        string connectionString,
        IDictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        string environment = "Production",
        Action<IServiceCollection>? services = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Main"] = connectionString,
            // Every test comes from 127.0.0.1: only the rate-limit tests want the real limit.
            ["Website:AccountPostPermitLimit"] = "100000",
            // A free port, not the 5081 of appsettings.json (which ./run.sh's site may hold).
            ["Lifeguard:Endpoints:ManagementPort"] = "0",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        var app = await RunningApp.StartAsync(WebsiteApp.Build, values, time, environment, services: services);
        var management = app.Services.GetRequiredService<Lifeguard.AspNetCore.LifeguardManagementAddress>();
        var address = app.Addresses.First(a => a.Port != management.Port);
        return new RunningSite(app, address, management.Url ?? throw new InvalidOperationException("the site has no management address"));
    }

    public SiteClient NewClient() => new(BaseAddress);

    /// <summary>A client of the management address (anonymous, like Prometheus on the same host).</summary>
    public SiteClient NewManagementClient() => new(ManagementAddress);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
