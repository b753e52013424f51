namespace Lifeguard.Kit;

/// <summary>What a login look-up read in one statement: the account (null when the email is unknown), its password hash,
/// the email's lockout end and whether failures of it are being counted.</summary>
/// <typeparam name="TAccount">What the app signs in (a role, an id and workspace…).</typeparam>
/// <param name="Account">The account, or null for an unknown email.</param>
/// <param name="PasswordHash">The stored hash, or null for an unknown email.</param>
/// <param name="LockoutEnd">When the email's lockout ends (UTC), or null.</param>
/// <param name="Counted">Whether the email has a row in <c>login_throttle</c> (a success then resets it).</param>
public sealed record LoginRecord<TAccount>(TAccount? Account, string? PasswordHash, DateTime? LockoutEnd, bool Counted)
    where TAccount : class;
