using Lifeguard.Kit;
using Microsoft.Extensions.Configuration;

namespace Website.Data;

/// <summary>Reads and validates <c>ConnectionStrings:Main</c> and applies the site's fail-fast defaults.</summary>
public static class MainConnectionString
{
    /// <summary>The configuration key every error message names.</summary>
    public const string Key = "ConnectionStrings:Main";

    // A page must fail fast when PostgreSQL is down or stuck rather than hang a worker:
    // connect/pool wait 3 s, statement 5 s, unless the connection string says otherwise.
    internal const int DefaultTimeoutSeconds = 3;
    internal const int DefaultCommandTimeoutSeconds = 5;

    /// <summary>Returns the validated connection string with defaults applied, or throws <see cref="StartupConfigurationException"/>.</summary>
    public static string Resolve(IConfiguration configuration) =>
        ConnectionStringRules.Resolve(configuration, Key, new ConnectionDefaults(DefaultTimeoutSeconds, DefaultCommandTimeoutSeconds, null, "Lifeguard.Website"));
}
