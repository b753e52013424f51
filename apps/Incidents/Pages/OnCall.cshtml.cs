using System.Globalization;
using Incidents.Escalations;
using Incidents.Views;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Incidents.Pages;

/// <summary>Who is on call for every schedule, now or at a chosen time.</summary>
public sealed class OnCallModel(EscalationQueries queries, TimeProvider time) : PageModel
{
    /// <summary>The time shown.</summary>
    public DateTimeOffset At { get; private set; }

    /// <summary>The schedules' on-call.</summary>
    public IReadOnlyList<OnCallView> Schedules { get; private set; } = [];

    /// <summary>A bad <c>at</c>.</summary>
    public string? Error { get; private set; }

    /// <summary>Shows the on-call at <paramref name="at"/> (default now).</summary>
    public void OnGet(string? at)
    {
        At = time.GetUtcNow();
        if (!string.IsNullOrEmpty(at))
        {
            if (DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) && t.UtcDateTime.Year is >= 1970 and <= 9000) At = t.ToUniversalTime();
            else
            {
                Error = "Not a time between 1970 and 9000: use ISO-8601, e.g. 2026-03-29T01:00:00Z.";
                Response.StatusCode = StatusCodes.Status400BadRequest;
            }
        }

        Schedules = queries.OnCall(At);
    }
}
