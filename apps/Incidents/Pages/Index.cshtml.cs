using Incidents.Data;
using Incidents.Measures;
using Incidents.Views;
using Microsoft.AspNetCore.Mvc;
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

    /// <summary>Open incidents per page.</summary>
    public const int PageSize = 50;

    /// <summary>The page of open incidents shown (1 = newest).</summary>
    public int PageNumber { get; private set; } = 1;

    /// <summary>Whether older open incidents follow.</summary>
    public bool HasNextPage { get; private set; }

    /// <summary>Loads the lists; <paramref name="pageNumber"/> (?page=N) pages the open incidents (1..1000, anything else is a 400).</summary>
    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "page")] string? pageNumber, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(pageNumber))
        {
            if (!int.TryParse(pageNumber, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) || p is < 1 or > 1000)
            {
                return BadRequest("page must be a number from 1 to 1000");
            }

            PageNumber = p;
        }

        // offset paging is fine here: open incidents are few, and the page number is capped
        var rows = await queries.ListAsync(true, PageNumber * PageSize + 1, ct);
        Open = rows.Skip((PageNumber - 1) * PageSize).Take(PageSize).ToList();
        HasNextPage = rows.Count > PageNumber * PageSize;
        Resolved = await queries.ListAsync(false, 20, ct);
        Measures = await measures.RollingAsync(ct);
        return Page();
    }
}
