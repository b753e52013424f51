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

    /// <summary>The site's service name in a fleet (Lifeguard:Service unless set): its sessions are named
    /// <c>Lifeguard.Website/&lt;instance&gt;</c>.</summary>
    public const string Service = "Lifeguard.Website";

    /// <summary>Returns the validated connection string with defaults applied (the Application Name: this instance's
    /// <c>service/instance</c>), or throws <see cref="StartupConfigurationException"/>.</summary>
    public static string Resolve(IConfiguration configuration) =>
        ConnectionStringRules.Resolve(configuration, Key, new ConnectionDefaults(DefaultTimeoutSeconds, DefaultCommandTimeoutSeconds, null,
            Identity(configuration).ApplicationName));

    /// <summary>This instance's identity (Lifeguard:Service, default Lifeguard.Website; Lifeguard:Instance), or
    /// <see cref="StartupConfigurationException"/> naming the key.</summary>
    public static Lifeguard.Fleet.LifeguardIdentity Identity(IConfiguration configuration)
    {
        try
        {
            return Lifeguard.Hosting.LifeguardIdentityConfiguration.Read(configuration, Service);
        }
        catch (InvalidOperationException e)
        {
            throw new StartupConfigurationException(e.Message);
        }
    }
}
