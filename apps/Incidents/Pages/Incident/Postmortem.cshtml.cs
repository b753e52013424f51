using Incidents.Data;
using Incidents.Postmortem;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Incidents.Pages.Incident;

/// <summary>The postmortem draft of one incident.</summary>
public sealed class PostmortemModel(IncidentQueries queries, TimeProvider time) : PageModel
{
    /// <summary>The incident.</summary>
    public long Id { get; private set; }

    /// <summary>The draft.</summary>
    public string Markdown { get; private set; } = "";

    /// <summary>Writes it.</summary>
    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var incident = await queries.GetAsync(id, ct);
        if (incident is null) return NotFound();
        Id = id;
        Markdown = PostmortemWriter.Write(incident, time.GetUtcNow());
        return Page();
    }
}
