using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lifeguard.AspNetCore.Management;

/// <summary>Once the server listens, warns when nothing listens on the management port (e.g. the app's Kestrel
/// endpoints configuration replaced the added address): the operational endpoints would be unreachable.</summary>
internal sealed partial class ManagementAddressCheck(
    LifeguardManagementAddress address, IServer server, IHostApplicationLifetime lifetime, ILogger<ManagementAddressCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (address.Port is { } port) lifetime.ApplicationStarted.Register(() => Check(port));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Check(int port)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null) return;
        var suffix = ":" + port.ToString(CultureInfo.InvariantCulture);
        if (addresses.Any(a => a.TrimEnd('/').EndsWith(suffix, StringComparison.Ordinal))) return;
        NotListening(logger, port, string.Join(", ", addresses));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifeguard's operational endpoints answer only on the management port {Port}, but the server listens on {Addresses}: add an endpoint on that port to the app's Kestrel configuration, or remove the one that overrides the addresses.")]
    private static partial void NotListening(ILogger logger, int port, string addresses);
}
