using System.Globalization;
using System.Security.Claims;

namespace Website;

/// <summary>The claims the auth cookie carries; the workspace id is the only source of a dashboard's scope.</summary>
public static class WorkspaceClaims
{
    /// <summary>Claim type of the user's workspace id.</summary>
    public const string WorkspaceId = "lifeguard:workspace_id";

    /// <summary>Builds the principal stored in the auth cookie.</summary>
    public static ClaimsPrincipal Create(long userId, string email, long workspaceId, string scheme) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, userId.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, email),
                new Claim(WorkspaceId, workspaceId.ToString(CultureInfo.InvariantCulture)),
            ], scheme));

    /// <summary>The signed-in user's workspace id, or null when the principal carries none.</summary>
    public static long? GetWorkspaceId(ClaimsPrincipal user) =>
        long.TryParse(user?.FindFirstValue(WorkspaceId), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
