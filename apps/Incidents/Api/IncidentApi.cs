using System.Security.Claims;
using System.Text.Json;
using Incidents.Access;
using Incidents.Data;
using Incidents.Domain;
using Incidents.Intake;
using Incidents.Measures;
using Incidents.Postmortem;
using Lifeguard.Contracts.Alertmanager;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Incidents.Api;

/// <summary>The HTTP API (fixed points): intake, incidents, actions, postmortem, measures, metrics. Bearer token only.</summary>
public static class IncidentApi
{
    private static readonly JsonSerializerOptions WebhookJson = new() { PropertyNameCaseInsensitive = false };

    /// <summary>Maps every API endpoint; all of them require the bearer token.</summary>
    public static IEndpointRouteBuilder MapIncidentApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var read = new AuthorizeAttribute { AuthenticationSchemes = BearerTokenHandler.SchemeName, Policy = Roles.ReadPolicy };
        var respond = new AuthorizeAttribute { AuthenticationSchemes = BearerTokenHandler.SchemeName, Policy = Roles.RespondPolicy };

        app.MapPost("/api/alertmanager", ReceiveAsync).RequireAuthorization(respond).DisableAntiforgery().RequireRateLimiting(IntakeBounds.IntakePolicy);

        var api = app.MapGroup("/api/incidents").RequireRateLimiting(IntakeBounds.ApiPolicy);
        // lists are paged: newest first, `limit` (1..Incidents:Intake:MaxPageSize), `before` an id for the next page
        api.MapGet("", async (IncidentQueries q, IOptions<IncidentsOptions> o, string? status, string? limit, string? before,
            [Microsoft.AspNetCore.Mvc.FromQuery(Name = "group_key")] string? groupKey, CancellationToken ct) =>
        {
            if (groupKey is { Length: 0 or > WebhookValidation.MaxKeyLength }) return Results.Problem("group_key must be 1..4096 characters", statusCode: 400);
            // "resolved" is the stored word for the status (SqlNames); "open" and "all" are the filter's own
            var resolved = SqlNames.Of(IncidentStatus.Resolved);
            bool? open = status is "open" ? true : status == resolved ? false : null;
            if (status is not (null or "" or "all" or "open") && status != resolved) return Results.Problem("status must be open, resolved or all", statusCode: 400);
            if (Paging.Limit(limit, 100, o.Value.Intake.MaxPageSize) is not { } n) return Results.Problem($"limit must be 1..{o.Value.Intake.MaxPageSize}", statusCode: 400);
            if (Paging.Id(before) is not { } beforeId) return Results.Problem("before must be an incident id", statusCode: 400);
            return Results.Ok(await q.ListAsync(open, n, ct, groupKey, beforeId == 0 ? null : beforeId));
        }).RequireAuthorization(read);
        api.MapGet("/{id:long}/alerts", async (long id, IncidentQueries q, IOptions<IncidentsOptions> o, string? limit, string? offset, CancellationToken ct) =>
        {
            if (Paging.Limit(limit, 100, o.Value.Intake.MaxPageSize) is not { } n) return Results.Problem($"limit must be 1..{o.Value.Intake.MaxPageSize}", statusCode: 400);
            if (Paging.Offset(offset) is not { } skip) return Results.Problem("offset must be 0..1000000", statusCode: 400);
            return await q.AlertsAsync(id, n, skip, ct) is { } page ? Results.Ok(page) : Results.NotFound();
        }).RequireAuthorization(read);
        api.MapGet("/{id:long}/timeline", async (long id, IncidentQueries q, IOptions<IncidentsOptions> o, string? limit, string? offset, CancellationToken ct) =>
        {
            if (Paging.Limit(limit, 100, o.Value.Intake.MaxPageSize) is not { } n) return Results.Problem($"limit must be 1..{o.Value.Intake.MaxPageSize}", statusCode: 400);
            if (Paging.Offset(offset) is not { } skip) return Results.Problem("offset must be 0..1000000", statusCode: 400);
            return await q.TimelineAsync(id, n, skip, ct) is { } page ? Results.Ok(page) : Results.NotFound();
        }).RequireAuthorization(read);
        api.MapGet("/{id:long}", async (long id, IncidentQueries q, CancellationToken ct) =>
            await q.GetAsync(id, ct) is { } i ? Results.Ok(i) : Results.NotFound()).RequireAuthorization(read);
        api.MapGet("/{id:long}/postmortem", async (long id, IncidentQueries q, TimeProvider time, CancellationToken ct) =>
            await q.GetAsync(id, ct) is { } i
                ? Results.Text(PostmortemWriter.Write(i, time.GetUtcNow()), "text/markdown; charset=utf-8")
                : Results.NotFound()).RequireAuthorization(read);
        api.MapGet("/{id:long}/audit", async (long id, IncidentQueries q, CancellationToken ct) =>
            Results.Ok(await q.AuditAsync(id, 1000, ct))).RequireAuthorization(read);
        api.MapPost("/{id:long}/acknowledge", (long id, HttpContext http, IncidentActions a, CancellationToken ct) =>
            ActAsync(http, note => a.AcknowledgeAsync(id, ActorOf(http), note, ct))).RequireAuthorization(respond);
        api.MapPost("/{id:long}/resolve", (long id, HttpContext http, IncidentActions a, CancellationToken ct) =>
            ActAsync(http, note => a.ResolveAsync(id, ActorOf(http), note, ct))).RequireAuthorization(respond);
        api.MapPost("/{id:long}/notes", async (long id, HttpContext http, IncidentActions a, CancellationToken ct) =>
        {
            var note = await ReadNoteAsync(http, ct);
            if (note.Problem is not null) return Results.Problem(note.Problem, statusCode: 400);
            if (IncidentActions.NoteProblem(note.Text, required: true) is { } p) return Results.Problem(p, statusCode: 400);
            return Outcome(await a.AddNoteAsync(id, ActorOf(http), note.Text!, ct));
        }).RequireAuthorization(respond);

        app.MapGet("/api/measures", async (MeasuresQuery m, CancellationToken ct) => Results.Ok(await m.RollingAsync(ct))).RequireAuthorization(read).RequireRateLimiting(IntakeBounds.ApiPolicy);
        app.MapGet("/api/audit", async (IncidentQueries q, CancellationToken ct) => Results.Ok(await q.AuditAsync(null, 500, ct))).RequireAuthorization(read).RequireRateLimiting(IntakeBounds.ApiPolicy);
        app.MapIncidentMetrics().RequireAuthorization(read).RequireRateLimiting(IntakeBounds.ApiPolicy);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpContext http, IntakeService intake, IOptions<IncidentsOptions> options, CancellationToken ct)
    {
        var bounds = options.Value.Intake;
        var limit = bounds.MaxBodyBytes;
        if (http.Request.ContentLength > limit) return Results.Problem($"the body is larger than {limit} bytes", statusCode: 413);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        if (http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Results.Problem("Content-Type must be application/json", statusCode: 415);
        }

        AlertmanagerWebhook? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<AlertmanagerWebhook>(http.Request.Body, WebhookJson, ct);
        }
        catch (JsonException ex)
        {
            return Results.Problem($"the body is not valid JSON for a webhook: {Lifeguard.Kit.SafeText.Printable(ex.Message, 300)}", statusCode: 400);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == 413)
        {
            return Results.Problem($"the body is larger than {limit} bytes", statusCode: 413);
        }

        if (WebhookValidation.Check(body, bounds) is { } bad) return Results.Problem(bad.Problem, statusCode: bad.Status);
        RunbookLinks.Normalize(body!, bounds.RunbookBaseUrl);
        http.RequestServices.GetRequiredService<IncidentMetrics>().CountNotification();
        var result = await intake.ReceiveAsync(body!, ct);
        return Results.Ok(new { outcome = result.Outcome.ToString().ToLowerInvariant(), incident_id = result.IncidentId });
    }

    private static async Task<IResult> ActAsync(HttpContext http, Func<string?, Task<ActionOutcome>> act)
    {
        var note = await ReadNoteAsync(http, http.RequestAborted);
        if (note.Problem is not null) return Results.Problem(note.Problem, statusCode: 400);
        if (IncidentActions.NoteProblem(note.Text, required: false) is { } p) return Results.Problem(p, statusCode: 400);
        return Outcome(await act(note.Text));
    }

    private static IResult Outcome(ActionOutcome outcome) => outcome switch
    {
        ActionOutcome.Done => Results.Ok(new { outcome = "done" }),
        ActionOutcome.AlreadyDone => Results.Ok(new { outcome = "already_done" }),
        ActionOutcome.NotFound => Results.NotFound(),
        _ => Results.Problem("not allowed in the incident's current state (it is resolved)", statusCode: 409),
    };

    // optional body: {"note": "..."}; an empty body is fine
    private static async Task<(string? Text, string? Problem)> ReadNoteAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength is 0 || (http.Request.ContentLength is null && !http.Request.Headers.TransferEncoding.Any())) return (null, null);
        if (http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true) return (null, "Content-Type must be application/json");
        try
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, "the body must be a JSON object");
            if (!doc.RootElement.TryGetProperty("note", out var n) || n.ValueKind == JsonValueKind.Null) return (null, null);
            return n.ValueKind == JsonValueKind.String ? (n.GetString(), null) : (null, "note must be a string");
        }
        catch (JsonException)
        {
            return (null, "the body is not valid JSON");
        }
    }

    private static Actor ActorOf(HttpContext http) => new(http.User.FindFirstValue(ClaimTypes.Name) ?? "unknown", "api");
}
