using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Website.Tests.Infrastructure;

/// <summary>The real site (WebsiteApp.Build) on Kestrel at http://127.0.0.1:random.</summary>
internal sealed class RunningSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningSite(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

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
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            values[k] = v;
        }

        var app = WebsiteApp.Build(["--environment", environment], b =>
        {
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Configuration.AddInMemoryCollection(values);
            b.Logging.ClearProviders();
            if (time is not null)
            {
                b.Services.AddSingleton(time);
            }

            services?.Invoke(b.Services);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningSite(app, new Uri(address));
    }

    public SiteClient NewClient() => new(BaseAddress);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
