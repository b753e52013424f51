using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Website.Pages;

/// <summary>"/" sends signed-in users to their dashboard and everyone else to the login page.</summary>
public sealed class IndexModel : PageModel
{
    /// <summary>Redirects.</summary>
    public IActionResult OnGet() =>
        Redirect(User.Identity?.IsAuthenticated == true ? "/dashboard" : "/account/login");
}
