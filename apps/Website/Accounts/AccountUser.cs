namespace Website.Accounts;

/// <summary>The user type <see cref="Microsoft.AspNetCore.Identity.PasswordHasher{TUser}"/> is parameterised by (it does not read it).</summary>
public sealed class AccountUser;
