using System.Globalization;
using System.Text.Json;
using Dapper;
using Incidents.Data;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Incidents.Evidence;

/// <summary>
/// Fetches the guarded app's live diagnosis for incidents that just opened and keeps it in the timeline. The queue is the
/// incidents table itself (FOR UPDATE SKIP LOCKED), so any replica may do the work and a restart loses nothing.
/// </summary>
public sealed class EvidenceWorker(
    NpgsqlDataSource db,
    IHttpClientFactory httpFactory,
    IOptions<IncidentsOptions> options,
    TimeProvider time,
    EvidenceSignal signal,
    ILogger<EvidenceWorker> logger) : BackgroundService
{
    /// <summary>The named HttpClient used for diagnosis requests.</summary>
    public const string HttpClientName = "diagnosis";

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await TryOneAsync(stoppingToken))
                {
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Evidence worker: the database is not reachable ({Message}); retrying", ex.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await signal.WaitAsync(options.Value.Evidence.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Claims one due incident and fetches its evidence; false when none was due.</summary>
    internal async Task<bool> TryOneAsync(CancellationToken ct)
    {
        var opts = options.Value.Evidence;
        var now = time.GetUtcNow().UtcDateTime;
        IncidentRow? job;
        await using (var conn = await db.OpenConnectionAsync(ct))
        await using (var claim = await conn.BeginTransactionAsync(ct))
        {
            // Claim with a lease (due again after the timeout) and let go of the row before the HTTP call, so intake
            // never waits on a slow management address; a replica that dies mid-fetch leaves the job to another.
            job = await conn.QuerySingleOrDefaultAsync<IncidentRow>(new CommandDefinition(
                """
                SELECT * FROM incidents WHERE evidence_state = 'pending' AND evidence_due_at <= @now
                ORDER BY evidence_due_at LIMIT 1 FOR UPDATE SKIP LOCKED
                """, new { now }, claim, cancellationToken: ct));
            if (job is null) return false;
            job.EvidenceAttempts++;
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE incidents SET evidence_attempts = @attempts, evidence_due_at = @lease WHERE id = @id",
                new { attempts = job.EvidenceAttempts, lease = now + opts.Timeout + opts.RetryDelay, id = job.Id }, claim, cancellationToken: ct));
            await claim.CommitAsync(ct);
        }

        var (json, error) = await FetchAsync(new Uri(job.EvidenceUrl!), opts.Timeout, ct);
        now = time.GetUtcNow().UtcDateTime;
        await using var c = await db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var still = await c.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT evidence_state FROM incidents WHERE id = @id FOR UPDATE", new { id = job.Id }, tx, cancellationToken: ct));
        if (still != "pending") return true;
        if (json is not null)
        {
            var d = DiagnosisSummary.From(json.Value);
            // The diagnosis's `since` is the fault's onset as the app saw it: MTTD is measured from there when it is known.
            var onset = d.Onset is { } since && since.UtcDateTime < job.OpenedAt ? since.UtcDateTime : (DateTime?)null;
            await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE incidents SET diagnosis = @diagnosis::jsonb, evidence_state = 'done', evidence_due_at = NULL,
                       onset_at = COALESCE(onset_at, @onset), updated_at = @now WHERE id = @id
                """, new { diagnosis = json.Value.GetRawText(), onset, now, id = job.Id }, tx, cancellationToken: ct));
            await Timeline.AddAsync(c, tx, job.Id, now, TimelineKind.Evidence, "lifeguard",
                $"Diagnosis from {job.EvidenceUrl}: {d.Cause}{(d.Summary is null ? "" : " - " + d.Summary)}" +
                (d.Since is { } s ? $" (since {s.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC)" : ""),
                json.Value.GetRawText(), ct);
        }
        else if (job.EvidenceAttempts >= opts.MaxAttempts)
        {
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE incidents SET evidence_state = 'failed', evidence_due_at = NULL, updated_at = @now WHERE id = @id",
                new { now, id = job.Id }, tx, cancellationToken: ct));
            await Timeline.AddAsync(c, tx, job.Id, now, TimelineKind.EvidenceFailed, "lifeguard",
                $"No diagnosis from {job.EvidenceUrl} after {job.EvidenceAttempts} attempt(s): {error}", null, ct);
        }
        else
        {
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE incidents SET evidence_due_at = @due WHERE id = @id", new { due = now + opts.RetryDelay, id = job.Id }, tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        return true;
    }

    private async Task<(JsonElement? Json, string? Error)> FetchAsync(Uri url, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var http = httpFactory.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            // read per request: the token file may be rotated while the service runs
            if (options.Value.Evidence.TokenFile is { Length: > 0 } file)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(file, cts.Token)).Trim());
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            if (!response.IsSuccessStatusCode) return (null, $"HTTP {(int)response.StatusCode}");
            await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: cts.Token);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, "the answer is not a JSON object");
            return (doc.RootElement.Clone(), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.Message);
        }
        catch (JsonException)
        {
            return (null, "the answer is not JSON");
        }
        catch (IOException ex)
        {
            return (null, "the management token file cannot be read: " + ex.Message);
        }
    }
}
