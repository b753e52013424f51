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

    /// <summary>The IP address the management listener binds; loopback by default. Any other address (e.g. 0.0.0.0
    /// when Prometheus scrapes from another host) needs <see cref="Token"/> or <see cref="TokenFile"/>: the app refuses
    /// to start without one, as the endpoints show leak stack traces and the live diagnosis.</summary>
    [Required]
    public string ManagementHost { get; set; } = "127.0.0.1";

    /// <summary>Whether Lifeguard adds the listener itself; false when the app's own Kestrel configuration already
    /// listens on <see cref="ManagementPort"/> (e.g. with HTTPS).</summary>
    public bool ListenOnManagementPort { get; set; } = true;

    /// <summary>Optional bearer token every request to the management address must carry
    /// (<c>Authorization: Bearer ...</c>); compared in constant time and never logged.</summary>
    [MinLength(16)]
    public string? Token { get; set; }

    /// <summary>A file holding the bearer token (read once at start, surrounding whitespace trimmed): keeps the token
    /// off command lines and out of configuration dumps. Not together with <see cref="Token"/>.</summary>
    public string? TokenFile { get; set; }

    /// <summary>The token in effect: <see cref="Token"/>, or the contents of <see cref="TokenFile"/>; null when neither.</summary>
    internal string? EffectiveToken() =>
        !string.IsNullOrEmpty(Token) ? Token : TokenFile is { Length: > 0 } f ? File.ReadAllText(f).Trim() : null;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(ManagementHost, out _))
            yield return new ValidationResult($"{nameof(ManagementHost)} must be an IP address such as 127.0.0.1 or 0.0.0.0.", [nameof(ManagementHost)]);
        if ((Token is not null || TokenFile is not null) && ManagementPort is null)
            yield return new ValidationResult($"{nameof(Token)} protects the management address: set {nameof(ManagementPort)} too, or protect MapLifeguard() with RequireAuthorization().", [nameof(Token)]);
        if (!string.IsNullOrEmpty(Token) && !string.IsNullOrEmpty(TokenFile))
            yield return new ValidationResult($"Set {nameof(Token)} or {nameof(TokenFile)}, not both.", [nameof(TokenFile)]);
        var hasToken = !string.IsNullOrEmpty(Token);
        if (!string.IsNullOrEmpty(TokenFile))
        {
            string? problem = null;
            try
            {
                var fromFile = File.ReadAllText(TokenFile).Trim();
                if (fromFile.Length < 16) problem = $"{nameof(TokenFile)} must hold a token of at least 16 characters.";
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problem = $"{nameof(TokenFile)} cannot be read ({ex.GetType().Name}).";
            }

            if (problem is null) hasToken = true;
            else yield return new ValidationResult(problem, [nameof(TokenFile)]);
        }

        if (ManagementPort is not null && IPAddress.TryParse(ManagementHost, out var host) && !IPAddress.IsLoopback(host) && !hasToken)
            yield return new ValidationResult(
                $"{nameof(ManagementHost)} {ManagementHost} is not loopback: the management address (metrics, leak stack traces, diagnosis) needs {nameof(Token)} or {nameof(TokenFile)} there.",
                [nameof(ManagementHost)]);
        if (ManagementPort == 0 && !ListenOnManagementPort)
            yield return new ValidationResult($"{nameof(ManagementPort)} 0 (a free port) needs {nameof(ListenOnManagementPort)}: nobody else can know which port was picked.", [nameof(ManagementPort)]);
    }
}
