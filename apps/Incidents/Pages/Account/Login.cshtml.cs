using System.Security.Claims;
using Incidents.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Incidents.Pages.Account;

/// <summary>Login form; one message for every failure.</summary>
[AllowAnonymous]
[EnableRateLimiting(IncidentsApp.LoginPolicy)]
public sealed class LoginModel(UserStore users) : PageModel
{
    /// <summary>The message for any failed login.</summary>
    public const string FailureMessage = "Invalid email or password.";

    /// <summary>Email as typed.</summary>
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>Password as typed (never echoed).</summary>
    [BindProperty]
    public string? Password { get; set; }

    /// <summary>Where to go after login (local paths only).</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>The failure message, when there is one.</summary>
    public string? Error { get; private set; }

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
    }

    /// <summary>Checks the credentials; 302 to the incident list (or a local ReturnUrl) on success.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Email) || string.IsNullOrEmpty(Password) || Email.Length > UserStore.MaxEmailLength || Password.Length > UserStore.MaxPasswordLength)
        {
            return Fail(StatusCodes.Status400BadRequest);
        }

        var role = await users.CheckAsync(Email, Password, ct);
        await users.AuditLoginAsync(Email, role is not null, HttpContext.Connection.RemoteIpAddress?.ToString(), ct);
        if (role is null) return Fail(StatusCodes.Status401Unauthorized);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, UserStore.Normalize(Email)), new Claim(ClaimTypes.Role, role)], CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }

    private PageResult Fail(int status)
    {
        Error = FailureMessage;
        Password = null;
        Response.StatusCode = status;
        return Page();
    }
}
