using System.Security.Claims;
using Lifeguard.Kit;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Website.Accounts;

namespace Website.Pages.Account;

/// <summary>The site's login (the kit's <see cref="LoginPageModel"/>): lands on the dashboard; after registering it says so.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimitPolicies.AccountPost)]
public sealed class LoginModel(AccountService accounts) : LoginPageModel
{
    /// <summary>Set after a registration redirect.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Registered { get; set; }

    /// <inheritdoc />
    protected override string LandingPage => "/dashboard";

    /// <inheritdoc />
    public override Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Registered = false;
        return base.OnPostAsync(ct);
    }

    /// <inheritdoc />
    protected override bool IsPlausible(string email) => EmailAddress.Normalize(email) is not null;

    /// <inheritdoc />
    protected override async Task<ClaimsPrincipal?> CheckAsync(string email, string password, CancellationToken ct)
    {
        var result = await accounts.LoginAsync(email, password, ct);
        return result.Succeeded
            ? WorkspaceClaims.Create(result.UserId, result.Email, result.WorkspaceId, CookieAuthenticationDefaults.AuthenticationScheme)
            : null;
    }
}
