namespace Website.Accounts;

/// <summary>Outcome of a login attempt; failures carry no reason the page could leak.</summary>
public sealed record LoginResult(bool Succeeded, long UserId, long WorkspaceId, string Email)
{
    /// <summary>The one failure every cause maps to: unknown email, wrong password, locked account.</summary>
    public static LoginResult Failed { get; } = new(false, 0, 0, "");
}
