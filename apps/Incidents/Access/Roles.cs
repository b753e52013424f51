namespace Incidents.Access;

/// <summary>Roles and the authorization policies built on them.</summary>
public static class Roles
{
    /// <summary>Sees incidents and acts on them (acknowledge, resolve, note); the responder token has this role.</summary>
    public const string Responder = "responder";

    /// <summary>Sees incidents, timelines, postmortems and the audit trail; changes nothing.</summary>
    public const string Viewer = "viewer";

    /// <summary>Policy: responder or viewer.</summary>
    public const string ReadPolicy = "read";

    /// <summary>Policy: responder only.</summary>
    public const string RespondPolicy = "respond";

    /// <summary>Whether the text is a known role.</summary>
    public static bool IsKnown(string? role) => role is Responder or Viewer;
}
