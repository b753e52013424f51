using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Website.Dashboards;

namespace Website.Pages;

/// <summary>The signed-in user's dashboard. The workspace comes from the auth cookie's claims only; nothing in the request can name another.</summary>
[Authorize]
public sealed class DashboardModel(DashboardService dashboards) : PageModel
{
    /// <summary>The loaded figures.</summary>
    public DashboardData? Data { get; private set; }

    /// <summary>The daily-revenue chart as inline SVG.</summary>
    public string ChartSvg { get; private set; } = "";

    /// <summary>Loads the dashboard.</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var workspaceId = WorkspaceClaims.GetWorkspaceId(User);
        Data = workspaceId is { } ws ? await dashboards.LoadAsync(ws, ct) : null;
        if (Data is null)
        {
            // A cookie whose workspace no longer exists (database re-created): start over.
            await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Redirect("/account/login");
        }

        ChartSvg = SvgBarChart.Render(Data.Daily, $"Daily paid revenue, last {DashboardService.WindowDays} days");
        return Page();
    }
}
