using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Website.Accounts;

namespace Website.Pages.Account;

/// <summary>Registration form. New and already-registered emails get the same redirect (no account enumeration).</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimitPolicies.AccountPost)]
public sealed class RegisterModel(AccountService accounts) : PageModel
{
    /// <summary>Email as typed.</summary>
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>Password as typed (never echoed back).</summary>
    [BindProperty]
    public string? Password { get; set; }

    /// <summary>Input problems to show.</summary>
    public IReadOnlyList<string> Problems { get; private set; } = [];

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
    }

    /// <summary>Registers, then redirects to the login page; 400 with the problems when the input is not acceptable.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Problems = await accounts.RegisterAsync(Email, Password, ct);
        if (Problems.Count == 0)
        {
            return Redirect("/account/login?registered=true");
        }

        Password = null;
        if (Email?.Length > EmailAddress.MaxLength)
        {
            Email = null;
        }

        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
