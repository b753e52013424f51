using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Website.Accounts;

namespace Website.Pages.Account;

/// <summary>Login form. Every failure shows the same message, so it never tells whether an email is registered.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimitPolicies.AccountPost)]
public sealed class LoginModel(AccountService accounts) : PageModel
{
    /// <summary>The message shown for any failed login.</summary>
    public const string FailureMessage = "Invalid email or password.";

    /// <summary>Email as typed.</summary>
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>Password as typed (never echoed back).</summary>
    [BindProperty]
    public string? Password { get; set; }

    /// <summary>Where to go after login; used only when it is a local URL.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Set after a registration redirect.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Registered { get; set; }

    /// <summary>The failure message, when there is one.</summary>
    public string? Error { get; private set; }

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
        if (!ReturnUrlPolicy.IsLocal(ReturnUrl))
        {
            ReturnUrl = null;
        }
    }

    /// <summary>Checks the credentials; 302 to the dashboard (or a local ReturnUrl) on success.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Registered = false;
        if (!ReturnUrlPolicy.IsLocal(ReturnUrl))
        {
            ReturnUrl = null;
        }

        var tooLong = Email?.Length > EmailAddress.MaxLength || Password?.Length > PasswordRules.MaxLength;
        if (tooLong || EmailAddress.Normalize(Email) is null || string.IsNullOrEmpty(Password))
        {
            return Fail(StatusCodes.Status400BadRequest);
        }

        var result = await accounts.LoginAsync(Email, Password, ct);
        if (!result.Succeeded)
        {
            return Fail(StatusCodes.Status401Unauthorized);
        }

        var principal = WorkspaceClaims.Create(result.UserId, result.Email, result.WorkspaceId, CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return Redirect(ReturnUrlPolicy.SafeOrDefault(ReturnUrl));
    }

    private PageResult Fail(int status)
    {
        Error = FailureMessage;
        Password = null;
        if (Email?.Length > EmailAddress.MaxLength)
        {
            Email = null;
        }

        Response.StatusCode = status;
        return Page();
    }
}
