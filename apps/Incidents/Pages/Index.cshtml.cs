using Incidents.Data;
using Incidents.Measures;
using Incidents.Views;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Incidents.Pages;

/// <summary>The first screen: open incidents, response times over 7 and 30 days, recently resolved.</summary>
public sealed class IndexModel(IncidentQueries queries, MeasuresQuery measures) : PageModel
{
    /// <summary>Not resolved, newest first.</summary>
    public IReadOnlyList<IncidentView> Open { get; private set; } = [];

    /// <summary>The last resolved ones.</summary>
    public IReadOnlyList<IncidentView> Resolved { get; private set; } = [];

    /// <summary>Rolling measures.</summary>
    public IReadOnlyList<RollingMeasures> Measures { get; private set; } = [];

    /// <summary>Loads the lists.</summary>
    public async Task OnGetAsync(CancellationToken ct)
    {
        Open = await queries.ListAsync(true, 200, ct);
        Resolved = await queries.ListAsync(false, 20, ct);
        Measures = await measures.RollingAsync(ct);
    }
}
