using System.Globalization;
using System.Text.Json;
using Incidents.Data;
using Incidents.Domain;
using Incidents.Workers;
using Microsoft.Extensions.Options;

namespace Incidents.Evidence;

/// <summary>
/// Fetches the guarded app's live diagnosis for incidents that just opened and keeps it in the timeline. The queue is the
/// incidents table itself (FOR UPDATE SKIP LOCKED), so any replica may do the work and a restart loses nothing.
/// </summary>
public sealed class EvidenceWorker(
    IncidentsDatabase db,
    IHttpClientFactory httpFactory,
    IOptions<IncidentsOptions> options,
    TimeProvider time,
    WorkSignal<EvidenceWorker> signal,
    ILogger<EvidenceWorker> logger) : PollingWorker<EvidenceWorker>(signal, logger)
{
    /// <summary>The named HttpClient used for diagnosis requests.</summary>
    public const string HttpClientName = "diagnosis";

    private const string Actor = "lifeguard";

    /// <inheritdoc />
    protected override TimeSpan PollInterval => options.Value.Evidence.PollInterval;

    /// <inheritdoc />
    protected override string Name => "Evidence worker";

    /// <inheritdoc />
    protected override Task<bool> WorkOnceAsync(CancellationToken ct) => TryOneAsync(ct);

    /// <summary>Claims one due incident and fetches its evidence; false when none was due.</summary>
    internal async Task<bool> TryOneAsync(CancellationToken ct)
    {
        var opts = options.Value.Evidence;
        var now = time.GetUtcNow().UtcDateTime;
        IncidentRow? job;
        await using (var claim = await db.BeginAsync(ct))
        {
            // Claim with a lease (due again after the timeout) and let go of the row before the HTTP call, so intake
            // never waits on a slow management address; a replica that dies mid-fetch leaves the job to another.
            job = await claim.Evidence.ClaimDueAsync(now, now + opts.Timeout + opts.RetryDelay, ct);
            if (job is null) return false;
            await claim.CommitAsync(ct);
        }

        // the stored URL must still be a configured target (configuration changes; rows from before targets existed
        // hold label-made URLs): anything else is never called
        var target = TargetName(job.EvidenceUrl, opts);
        var (json, error) = target is null
            ? (null, "its address is no longer a configured evidence target")
            : await FetchAsync(new Uri(job.EvidenceUrl!), opts, ct);
        var attemptsLeft = target is not null && job.EvidenceAttempts < opts.MaxAttempts;
        now = time.GetUtcNow().UtcDateTime;
        await using var session = await db.BeginAsync(ct);
        if (await session.Evidence.StateForUpdateAsync(job.Id, ct) != EvidenceState.Pending) return true;
        if (json is not null)
        {
            var d = DiagnosisSummary.From(json.Value);
            // The diagnosis's `since` is the fault's onset as the app saw it: MTTD is measured from there when it is known.
            var onset = d.Onset is { } since && since.UtcDateTime < job.OpenedAt ? since.UtcDateTime : (DateTime?)null;
            await session.Evidence.DoneAsync(job.Id, json.Value.GetRawText(), onset, now, ct);
            await session.Timeline.AddAsync(job.Id, now, new TimelineEntry(TimelineKind.Evidence, Actor,
                $"Diagnosis from target {target}: {d.Cause}{(d.Summary is null ? "" : " - " + d.Summary)}" +
                (d.Since is { } s ? $" (since {s.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC)" : ""),
                json.Value.GetRawText()), ct);
        }
        else if (!attemptsLeft)
        {
            await session.Evidence.FailedAsync(job.Id, now, ct);
            await session.Timeline.AddAsync(job.Id, now, TimelineKind.EvidenceFailed, Actor,
                $"No diagnosis from target {target ?? "(none)"} after {job.EvidenceAttempts} attempt(s): {error}.", ct);
        }
        else
        {
            await session.Evidence.RetryAtAsync(job.Id, now + opts.RetryDelay, ct);
        }

        await session.CommitAsync(ct);
        return true;
    }

    // the configured target's name for a stored URL, or null when the URL is no configured target's
    private static string? TargetName(string? url, EvidenceOptions opts)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri)) return null;
        foreach (var (name, value) in opts.Targets)
        {
            if (EvidenceTarget.ParseTarget(value) is { } t && Uri.Compare(new Uri(t, opts.DiagnosisPath), uri, UriComponents.AbsoluteUri, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0)
            {
                return name;
            }
        }

        return null;
    }

    // Errors are reasons a reader may see: what went wrong, never the address, the port or the socket's words (a
    // timeline that quoted them would make the service a port scanner for anyone who can post an alert).
    private async Task<(JsonElement? Json, string? Error)> FetchAsync(Uri url, EvidenceOptions opts, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(opts.Timeout);
        try
        {
            using var http = httpFactory.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            // read per request: the token file may be rotated while the service runs
            if (opts.TokenFile is { Length: > 0 } file)
            {
                string token;
                try
                {
                    token = (await File.ReadAllTextAsync(file, cts.Token)).Trim();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // the file's path is configuration, not for readers of the timeline
                    logger.LogWarning("Evidence: the management token file (Incidents:Evidence:TokenFile) cannot be read");
                    return (null, "the management token file cannot be read");
                }

                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            if (!response.IsSuccessStatusCode) return (null, $"the target answered HTTP {(int)response.StatusCode}");
            if (response.Content.Headers.ContentLength > opts.MaxResponseBytes) return (null, $"the answer is larger than {opts.MaxResponseBytes} bytes");
            await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            // read at most the cap plus one byte: a longer answer is refused, whatever its headers said
            var buffer = new byte[opts.MaxResponseBytes + 1];
            var read = 0;
            for (int n; read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cts.Token)) > 0;) read += n;
            if (read > opts.MaxResponseBytes) return (null, $"the answer is larger than {opts.MaxResponseBytes} bytes");
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, read), new JsonDocumentOptions { MaxDepth = 16 });
            if (DiagnosisAnswer.Problem(doc.RootElement) is { } problem) return (null, problem);
            return (doc.RootElement.Clone(), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"no answer within {opts.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException)
        {
            return (null, "the target could not be reached");
        }
        catch (JsonException)
        {
            return (null, "the answer is not JSON");
        }
        catch (IOException)
        {
            return (null, "the connection to the target broke");
        }
    }
}
