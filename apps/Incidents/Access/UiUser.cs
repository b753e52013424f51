namespace Incidents.Access;

/// <summary>A user of the UI as a login yields it: the normalised email and the role.</summary>
/// <param name="Email">The email as stored (trimmed, lower case).</param>
/// <param name="Role">responder or viewer (<see cref="Roles"/>).</param>
internal sealed record UiUser(string Email, string Role);
