using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Lifeguard.AspNetCore.Management;

/// <summary>Adds the management URL to the server's addresses next to the app's own (--urls, ASPNETCORE_URLS), so
/// setting one option is enough. Runs while the pipeline is built: the host has copied the app's URLs by then and
/// the server has not bound yet.</summary>
internal static class ManagementListener
{
    // Kestrel's own default when no address is configured; kept, since adding ours would otherwise replace it.
    private const string KestrelDefault = "http://localhost:5000";

    public static void Add(IFeatureCollection serverFeatures, LifeguardManagementAddress address)
    {
        if (!address.Listen || address.Url is null) return;
        var addresses = serverFeatures.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.IsReadOnly) return; // not Kestrel: ManagementAddressCheck reports it
        var url = address.Url.ToString().TrimEnd('/');
        if (addresses.Any(a => a.TrimEnd('/').Equals(url, StringComparison.OrdinalIgnoreCase))) return;
        if (addresses.Count == 0) addresses.Add(KestrelDefault);
        addresses.Add(url);
    }
}
