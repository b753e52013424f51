using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Lifeguard.Kit;

/// <summary>
/// Logout is a POST with antiforgery, so a link on another site cannot sign people out. Signing out ends the session on
/// the server (the app's session store deletes its row, so a copy of the cookie is refused too) and drops the cookie.
/// </summary>
public abstract class LogoutPageModel : PageModel
{
    /// <summary>Shows a confirmation button.</summary>
    public void OnGet()
    {
    }

    /// <summary>Ends the session and goes to the login page.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect(LoginPolicy.LoginPath);
    }
}
