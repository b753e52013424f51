using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Lifeguard.Kit;

/// <summary>
/// The login page both apps show: email and password, one message for every failure (so it never tells whether an email
/// is registered), 400 for input no account could match, 401 for wrong credentials, a redirect on success to a local
/// return URL (<see cref="ReturnUrlPolicy"/>) or the app's landing page. The app checks the credentials.
/// </summary>
public abstract class LoginPageModel : PageModel
{
    /// <summary>The message shown for any failed login.</summary>
    public const string FailureMessage = "Invalid email or password.";

    /// <summary>Longest email accepted (RFC 5321 path limit); the form's maxlength.</summary>
    public const int MaxEmailLength = 254;

    /// <summary>Longest password accepted; the form's maxlength.</summary>
    public const int MaxPasswordLength = 128;

    /// <summary>Email as typed.</summary>
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>Password as typed (never echoed back).</summary>
    [BindProperty]
    public string? Password { get; set; }

    /// <summary>Where to go after login; used only when it is a local URL.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>The failure message, when there is one.</summary>
    public string? Error { get; private set; }

    /// <summary>Where a login lands without a safe return URL.</summary>
    protected abstract string LandingPage { get; }

    /// <summary>Shows the form.</summary>
    public virtual void OnGet() => KeepLocalReturnUrl();

    /// <summary>Checks the credentials; 302 to the return URL or the landing page on success.</summary>
    public virtual async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        KeepLocalReturnUrl();
        if (string.IsNullOrWhiteSpace(Email) || string.IsNullOrEmpty(Password) || Email.Length > MaxEmailLength || Password.Length > MaxPasswordLength
            || !IsPlausible(Email))
        {
            return Fail(StatusCodes.Status400BadRequest);
        }

        var principal = await CheckAsync(Email, Password, ct);
        if (principal is null) return Fail(StatusCodes.Status401Unauthorized);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return Redirect(ReturnUrlPolicy.SafeOrDefault(ReturnUrl, LandingPage));
    }

    /// <summary>The signed-in user for right credentials, else null (the app counts failures and audits).</summary>
    protected abstract Task<ClaimsPrincipal?> CheckAsync(string email, string password, CancellationToken ct);

    /// <summary>Whether the email could name an account at all (false: 400 before any check).</summary>
    protected virtual bool IsPlausible(string email) => true;

    private void KeepLocalReturnUrl()
    {
        if (!ReturnUrlPolicy.IsLocal(ReturnUrl)) ReturnUrl = null;
    }

    private PageResult Fail(int status)
    {
        Error = FailureMessage;
        Password = null;
        if (Email?.Length > MaxEmailLength) Email = null;
        Response.StatusCode = status;
        return Page();
    }
}
