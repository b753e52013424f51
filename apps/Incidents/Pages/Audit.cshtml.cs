using Incidents.Data;
using Incidents.Views;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Incidents.Pages;

/// <summary>Every action by people, tokens and Alertmanager, newest first.</summary>
public sealed class AuditModel(IncidentQueries queries) : PageModel
{
    /// <summary>The last 500 entries.</summary>
    public IReadOnlyList<AuditView> Entries { get; private set; } = [];

    /// <summary>Loads them.</summary>
    public async Task OnGetAsync(CancellationToken ct) => Entries = await queries.AuditAsync(null, 500, ct);
}
