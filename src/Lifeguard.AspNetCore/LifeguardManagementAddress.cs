using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Lifeguard.AspNetCore;

/// <summary>The resolved management address: which local port operational endpoints answer on (a free port when
/// 0 was configured), and the token check. Resolve it from the app's services to learn the port.</summary>
public sealed class LifeguardManagementAddress
{
    private readonly byte[]? _tokenHash;

    internal LifeguardManagementAddress(LifeguardEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Listen = options.ListenOnManagementPort;
        if (options.ManagementPort is { } port)
        {
            var host = IPAddress.Parse(options.ManagementHost);
            Port = port == 0 ? FreePort(host) : port;
            Url = new Uri($"http://{(host.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host.ToString())}:{Port}");
        }

        if (options.EffectiveToken() is { Length: > 0 } token) _tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>The management port, or null when the endpoints are served on the app's own addresses.</summary>
    public int? Port { get; }

    /// <summary>The management listener's URL (e.g. http://127.0.0.1:5081), or null without a management port.</summary>
    public Uri? Url { get; }

    /// <summary>Whether a request to the management address must carry the bearer token.</summary>
    public bool RequiresToken => _tokenHash is not null;

    internal bool Listen { get; }

    /// <summary>Whether the request arrived on the management port (the connection's local port, not the Host header,
    /// which the client chooses).</summary>
    public bool IsManagementRequest(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Port is { } port && context.Connection.LocalPort == port;
    }

    /// <summary>Whether an Authorization header carries the configured bearer token (true when none is configured).</summary>
    internal bool Authorizes(StringValues authorization)
    {
        if (_tokenHash is null) return true;
        const string scheme = "Bearer ";
        var value = authorization.Count == 1 ? authorization[0] : null;
        if (value is null || !value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        // Hashing first gives both sides one length, so the comparison's time says nothing about the token.
        var offered = SHA256.HashData(Encoding.UTF8.GetBytes(value.AsSpan(scheme.Length).Trim().ToString()));
        return CryptographicOperations.FixedTimeEquals(offered, _tokenHash);
    }

    // Port 0 cannot be told apart from the app's own port-0 listener once Kestrel has bound both, so a free port is
    // picked here, before Kestrel binds it (the window in which another process could take it is microseconds).
    private static int FreePort(IPAddress host)
    {
        using var probe = new TcpListener(host, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
