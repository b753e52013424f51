namespace Lifeguard.Attribution;

/// <summary>Supplies the current operation's name lazily, e.g. from an HTTP request whose route is only known
/// after routing ran; set per request with <see cref="LifeguardOperation.Begin(OperationNameSource)"/>.</summary>
public abstract class OperationNameSource
{
    /// <summary>The operation name (e.g. "GET /dashboard"), or null when not known yet.</summary>
    public abstract string? GetName();
}
