using System.Net;

namespace Lifeguard.Cli.Load;

/// <summary>Load and fault traffic may only target this machine's loopback interface.</summary>
internal static class LoopbackTarget
{
    public static bool IsLoopback(Uri url)
    {
        if (url.Scheme is not ("http" or "https")) return false;
        if (string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }
}
