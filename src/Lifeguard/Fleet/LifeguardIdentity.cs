using System.Data.Common;
using System.Globalization;

namespace Lifeguard.Fleet;

/// <summary>Who this process is in a fleet: the service it is an instance of, and which instance. Its server sessions
/// carry <see cref="ApplicationName"/> (<c>service/instance</c>), so every instance's slots are told apart on the server.</summary>
/// <param name="Service">The service (Lifeguard:Service; default: the entry assembly's name).</param>
/// <param name="Instance">The instance (Lifeguard:Instance; default: the pod name, else host name and port).</param>
public sealed record LifeguardIdentity(string Service, string Instance)
{
    // PostgreSQL truncates application_name to 63 bytes (NAMEDATALEN - 1): longer names would no longer match.
    private const int MaxApplicationNameBytes = 63;

    /// <summary>The Application Name of this instance's sessions: <c>service/instance</c>.</summary>
    public string ApplicationName => Service + "/" + Instance;

    /// <summary>Resolves the identity from configured values, falling back to the defaults; throws
    /// <see cref="ArgumentException"/> naming the key when a value cannot be used.</summary>
    /// <param name="service">Lifeguard:Service, or null for the entry assembly's name.</param>
    /// <param name="instance">Lifeguard:Instance, or null for the default.</param>
    /// <param name="entryAssembly">The entry assembly's name (the default service).</param>
    /// <param name="environment">Reads an environment variable (POD_NAME, HOSTNAME).</param>
    /// <param name="hostName">The machine's name, when HOSTNAME is not set.</param>
    /// <param name="port">The port the process serves on, when known (0 or null: unknown).</param>
    /// <param name="processId">The process id: the instance when no port tells two processes on one host apart.</param>
    public static LifeguardIdentity Resolve(string? service, string? instance, string? entryAssembly, Func<string, string?> environment,
        string hostName, int? port, int processId)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var instanceDefaulted = string.IsNullOrWhiteSpace(instance);
        service = string.IsNullOrWhiteSpace(service) ? entryAssembly : service.Trim();
        if (string.IsNullOrWhiteSpace(service)) service = "app";
        if (string.IsNullOrWhiteSpace(instance))
        {
            var pod = environment("POD_NAME");
            var host = environment("HOSTNAME") is { Length: > 0 } h ? h : hostName;
            instance = !string.IsNullOrWhiteSpace(pod) ? pod.Trim()
                : port is > 0 ? string.Create(CultureInfo.InvariantCulture, $"{host}:{port}")
                : string.Create(CultureInfo.InvariantCulture, $"{host}:pid{processId}");
        }
        else instance = instance.Trim();
        Check(service, "Lifeguard:Service");
        Check(instance, "Lifeguard:Instance");
        var identity = new LifeguardIdentity(service, instance);
        var room = MaxApplicationNameBytes - System.Text.Encoding.UTF8.GetByteCount(service) - 1;
        if (System.Text.Encoding.UTF8.GetByteCount(identity.ApplicationName) > MaxApplicationNameBytes && instanceDefaulted && room >= 8
            && instance.All(char.IsAscii))
        {
            // A default must never stop the app: a long pod or host name keeps its end, where pods differ.
            identity = identity with { Instance = instance[^room..] };
        }
        if (System.Text.Encoding.UTF8.GetByteCount(identity.ApplicationName) > MaxApplicationNameBytes)
            throw new ArgumentException($"Lifeguard:Service and Lifeguard:Instance make the Application Name '{identity.ApplicationName}', longer than " +
                $"PostgreSQL's {MaxApplicationNameBytes} bytes: shorten one of them.");
        return identity;
    }

    /// <summary>Sets <c>Application Name</c> in <paramref name="connectionString"/> to <see cref="ApplicationName"/>
    /// unless the string already sets one (the app's own choice wins).</summary>
    public string ApplyTo(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (builder.ContainsKey("Application Name") || builder.ContainsKey("ApplicationName")) return connectionString;
        builder["Application Name"] = ApplicationName;
        return builder.ConnectionString;
    }

    private static void Check(string value, string key)
    {
        // '/' separates service from instance; control characters would garble logs and pg_stat_activity.
        if (value.Contains('/', StringComparison.Ordinal) && key.EndsWith("Service", StringComparison.Ordinal))
            throw new ArgumentException($"{key} '{value}' contains '/', which separates the service from the instance in the Application Name.");
        if (value.Any(char.IsControl)) throw new ArgumentException($"{key} contains a control character.");
    }
}
