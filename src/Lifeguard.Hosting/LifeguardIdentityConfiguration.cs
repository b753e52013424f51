using System.Globalization;
using System.Reflection;
using Lifeguard.Fleet;
using Microsoft.Extensions.Configuration;

namespace Lifeguard.Hosting;

/// <summary>Reads this process's <see cref="LifeguardIdentity"/> from configuration.</summary>
public static class LifeguardIdentityConfiguration
{
    /// <summary>The identity from <c>Lifeguard:Service</c> and <c>Lifeguard:Instance</c>; defaults: the entry
    /// assembly's name, and POD_NAME, else the host name (HOSTNAME or the machine's) with the port of the first of
    /// <c>urls</c> / <c>http_ports</c>, else with the process id. Throws <see cref="InvalidOperationException"/> naming the key
    /// when a value cannot be used. Null configuration: the defaults. <paramref name="defaultService"/> replaces the entry
    /// assembly's name as the default service.</summary>
    public static LifeguardIdentity Read(IConfiguration? configuration, string? defaultService = null)
    {
        try
        {
            return LifeguardIdentity.Resolve(configuration?["Lifeguard:Service"], configuration?["Lifeguard:Instance"],
                defaultService ?? Assembly.GetEntryAssembly()?.GetName().Name, Environment.GetEnvironmentVariable, Environment.MachineName,
                Port(configuration), Environment.ProcessId);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }

    // The port the host serves on: --urls / ASPNETCORE_URLS ("urls"), or ASPNETCORE_HTTP_PORTS ("http_ports").
    private static int? Port(IConfiguration? configuration)
    {
        if (configuration is null) return null;
        var urls = configuration["urls"] ?? configuration["ASPNETCORE_URLS"];
        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // "http://*:5080" and "http://+:5080" are not URIs: read the port after the last colon.
            var colon = url.LastIndexOf(':');
            if (colon > 0 && int.TryParse(url[(colon + 1)..].TrimEnd('/'), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0) return port;
        }
        var ports = configuration["http_ports"] ?? configuration["ASPNETCORE_HTTP_PORTS"];
        var first = ports?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : null;
    }
}
