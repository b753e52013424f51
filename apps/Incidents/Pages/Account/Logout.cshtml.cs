using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Incidents.Pages.Account;

/// <summary>Logout is a POST with antiforgery, so another site cannot sign people out.</summary>
[AllowAnonymous]
public sealed class LogoutModel : PageModel
{
    /// <summary>Shows a button.</summary>
    public void OnGet()
    {
    }

    /// <summary>Drops the cookie.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect("/account/login");
    }
}
