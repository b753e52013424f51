using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Incidents.Pages.Account;

/// <summary>Shown (403) when a signed-in user lacks the role.</summary>
[AllowAnonymous]
public sealed class DeniedModel : PageModel
{
    /// <summary>Shows the message.</summary>
    public void OnGet()
    {
    }
}
