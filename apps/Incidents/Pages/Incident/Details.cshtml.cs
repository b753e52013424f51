using System.Security.Claims;
using Incidents.Access;
using Incidents.Data;
using Incidents.Domain;
using Incidents.Escalations;
using Incidents.Evidence;
using Incidents.Views;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Incidents.Pages.Incident;

/// <summary>One incident: status, the diagnosis first, measures, timeline, alerts; responders acknowledge, resolve, add notes.</summary>
public sealed class DetailsModel(IncidentQueries queries, IncidentActions actions, EscalationQueries escalations) : PageModel
{
    /// <summary>Its escalation, when a policy was routed to it.</summary>
    public EscalationView? Escalation { get; private set; }

    /// <summary>The incident.</summary>
    public IncidentView? Incident { get; private set; }

    /// <summary>Its diagnosis, when fetched.</summary>
    public DiagnosisSummary? Diagnosis { get; private set; }

    /// <summary>Whether the user may act.</summary>
    public bool CanRespond => User.IsInRole(Roles.Responder);

    /// <summary>An action's failure.</summary>
    public string? Error { get; private set; }

    /// <summary>The note typed.</summary>
    [BindProperty]
    public string? Note { get; set; }

    /// <summary>Shows it.</summary>
    public Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => ShowAsync(id, ct);

    /// <summary>Acknowledges.</summary>
    public Task<IActionResult> OnPostAcknowledgeAsync(long id, CancellationToken ct) => ActAsync(id, a => actions.AcknowledgeAsync(id, a, null, ct), ct);

    /// <summary>Resolves.</summary>
    public Task<IActionResult> OnPostResolveAsync(long id, CancellationToken ct) => ActAsync(id, a => actions.ResolveAsync(id, a, null, ct), ct);

    /// <summary>Adds a note.</summary>
    public Task<IActionResult> OnPostNoteAsync(long id, CancellationToken ct)
    {
        if (IncidentActions.NoteProblem(Note, required: true) is { } problem)
        {
            Error = "Not added: " + problem + ".";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return ShowAsync(id, ct);
        }

        return ActAsync(id, a => actions.AddNoteAsync(id, a, Note!, ct), ct);
    }

    private async Task<IActionResult> ActAsync(long id, Func<Actor, Task<ActionOutcome>> act, CancellationToken ct)
    {
        // the page shows no buttons to viewers; this refuses a crafted POST too
        if (!CanRespond) return StatusCode(StatusCodes.Status403Forbidden);
        var outcome = await act(new Actor(User.FindFirstValue(ClaimTypes.Name) ?? "unknown", "ui"));
        if (outcome == ActionOutcome.NotFound) return NotFound();
        if (outcome == ActionOutcome.Conflict)
        {
            Error = "Not possible: the incident is resolved.";
            Response.StatusCode = StatusCodes.Status409Conflict;
            return await ShowAsync(id, ct);
        }

        return Redirect($"/incidents/{id}"); // post/redirect/get
    }

    private async Task<IActionResult> ShowAsync(long id, CancellationToken ct)
    {
        Incident = await queries.GetAsync(id, ct);
        if (Incident is null) return NotFound();
        Diagnosis = Incident.Diagnosis is { } d ? DiagnosisSummary.From(d) : null;
        Escalation = await escalations.GetAsync(id, ct);
        return Page();
    }
}
