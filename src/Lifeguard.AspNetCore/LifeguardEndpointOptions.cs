using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Lifeguard.AspNetCore;

/// <summary>Where <c>MapLifeguard()</c>'s operational endpoints are served, bound from <c>Lifeguard:Endpoints</c>.
/// With <see cref="ManagementPort"/> set they answer only on that port (404 on every other), like a separate
/// management server; the public port keeps a status-only <c>/health</c>.</summary>
public sealed class LifeguardEndpointOptions : IValidatableObject
{
    /// <summary>The configuration section bound by <c>AddLifeguard()</c>.</summary>
    public const string Section = "Lifeguard:Endpoints";

    /// <summary>The management port; 0 picks a free one (tests read it from <see cref="LifeguardManagementAddress"/>).
    /// Null serves the endpoints on the app's own addresses, where the app must protect them (RequireAuthorization).</summary>
    [Range(0, 65535)]
    public int? ManagementPort { get; set; }

    /// <summary>The IP address the management listener binds; loopback by default. Use e.g. 0.0.0.0 only together
    /// with <see cref="Token"/> when Prometheus scrapes from another host.</summary>
    [Required]
    public string ManagementHost { get; set; } = "127.0.0.1";

    /// <summary>Whether Lifeguard adds the listener itself; false when the app's own Kestrel configuration already
    /// listens on <see cref="ManagementPort"/> (e.g. with HTTPS).</summary>
    public bool ListenOnManagementPort { get; set; } = true;

    /// <summary>Optional bearer token every request to the management address must carry
    /// (<c>Authorization: Bearer ...</c>); compared in constant time and never logged.</summary>
    [MinLength(16)]
    public string? Token { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(ManagementHost, out _))
            yield return new ValidationResult($"{nameof(ManagementHost)} must be an IP address such as 127.0.0.1 or 0.0.0.0.", [nameof(ManagementHost)]);
        if (Token is not null && ManagementPort is null)
            yield return new ValidationResult($"{nameof(Token)} protects the management address: set {nameof(ManagementPort)} too, or protect MapLifeguard() with RequireAuthorization().", [nameof(Token)]);
        if (ManagementPort == 0 && !ListenOnManagementPort)
            yield return new ValidationResult($"{nameof(ManagementPort)} 0 (a free port) needs {nameof(ListenOnManagementPort)}: nobody else can know which port was picked.", [nameof(ManagementPort)]);
    }
}
