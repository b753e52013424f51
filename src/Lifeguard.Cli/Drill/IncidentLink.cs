using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lifeguard.Cli.Metrics;
using Lifeguard.Contracts;
using Lifeguard.Contracts.Alertmanager;

namespace Lifeguard.Cli.Drill;

/// <summary>
/// Turns the drill's fault into an incident of the incident service (apps/Incidents) the way Alertmanager would: a webhook
/// v4 body to <c>POST /api/alertmanager</c> (bearer token) when the cause is named, a resolved one when the drill ends, so the
/// report can link the incident's postmortem. A service that is not running, or refuses the token, costs one line and
/// nothing else: the drill is about the fault, the incident is a bonus.
/// </summary>
internal sealed class IncidentLink : IDisposable
{
    /// <summary>run.sh --monitoring's incident service.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5090";

    /// <summary>The alert's name: its own, so a drill is never mistaken for (or grouped with) a production alert.</summary>
    public const string AlertName = "LifeguardDrill";

    // generous: the posts run beside the drill, which keeps the machine busy on purpose
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private readonly HttpClient _http;
    private readonly Action<string> _say;
    private readonly string _run = DateTimeOffset.UtcNow.ToString("yyyyMMddTHHmmss", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private readonly object _gate = new();
    private Task? _firing;
    private AlertmanagerAlert? _alert;
    private string? _groupKey;
    private long? _id;
    private string _status = "not_detected";
    private string? _problem;

    private readonly string _token;

    private IncidentLink(Uri service, string token, Action<string> say)
    {
        Service = service;
        _token = token;
        _say = say;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { BaseAddress = service, Timeout = RequestTimeout };
        if (token.Length > 0) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>The incident service.</summary>
    public Uri Service { get; }

    /// <summary>
    /// The token: <paramref name="tokenFile"/> when given, else LIFEGUARD_INCIDENTS_TOKEN, else the checkout's
    /// .data/incidents.token (run.sh's). Null when none is there.
    /// </summary>
    public static string? ReadToken(string? tokenFile, string? checkoutRoot)
    {
        if (tokenFile is null && Environment.GetEnvironmentVariable("LIFEGUARD_INCIDENTS_TOKEN") is { Length: > 0 } fromEnv) return fromEnv.Trim();
        var path = tokenFile ?? (checkoutRoot is null ? null : Path.Combine(checkoutRoot, ".data", "incidents.token"));
        if (path is null || !File.Exists(path)) return null;
        var token = File.ReadAllText(path).Trim();
        return token.Length == 0 ? null : token;
    }

    /// <summary>
    /// The link when the service answers and takes the token; else null, after one line that says why (the drill goes on).
    /// </summary>
    public static async Task<(IncidentLink? Link, DrillIncident? Absent)> ConnectAsync(Uri service, string? token, Action<string> say, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(say);
        DrillIncident Absent(string status, string note)
        {
            say($"incident service: {note}; the drill goes on without an incident");
            return new DrillIncident { Service = service.ToString(), Status = status, Note = note };
        }

        // running at all first (no token needed), so a machine without the service hears that, not "no token"
        var link = new IncidentLink(service, token ?? "", say);
        try
        {
            using (var health = await link._http.GetAsync(new Uri("/health", UriKind.Relative), ct).ConfigureAwait(false))
            {
                if (!health.IsSuccessStatusCode) throw new HttpRequestException($"/health answered {(int)health.StatusCode}");
            }

            if (string.IsNullOrEmpty(token))
            {
                link.Dispose();
                return (null, Absent("no_token", $"no token for {service} (--incidents-token-file, LIFEGUARD_INCIDENTS_TOKEN or .data/incidents.token)"));
            }

            using var probe = await link._http.GetAsync(new Uri("/api/incidents?limit=1", UriKind.Relative), ct).ConfigureAwait(false);
            if (probe.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                link.Dispose();
                return (null, Absent("refused", $"{service} refused the token (HTTP {(int)probe.StatusCode})"));
            }

            if (!probe.IsSuccessStatusCode) throw new HttpRequestException($"/api/incidents answered {(int)probe.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            link.Dispose();
            return (null, Absent("not_running", $"not running at {service} ({(e is TaskCanceledException ? "no answer" : e.Message)})"));
        }

        say($"incident service: {service} (the fault becomes an incident there when its cause is named)");
        return (link, null);
    }

    /// <summary>A fresh link to the same service for the next drill of `--all` (each drill is its own incident).</summary>
    public IncidentLink Next() => new(Service, _token, _say);

    /// <summary>
    /// The drill named the cause: posts the firing alert in the background (the sampler that calls this must not wait on
    /// the network). <paramref name="secondsSinceOnset"/> dates the alert's startsAt at the fault's onset, as a rule's
    /// would be; <paramref name="managementUrl"/> (the site's) is its instance, so the service fetches the live diagnosis.
    /// </summary>
    public void Detected(string fault, RootCause cause, double secondsSinceOnset, Uri managementUrl)
    {
        ArgumentNullException.ThrowIfNull(cause);
        ArgumentNullException.ThrowIfNull(managementUrl);
        lock (_gate)
        {
            if (_firing is not null) return;
            var startsAt = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(Math.Max(0, secondsSinceOnset));
            _firing = Task.Run(() => FireAsync(fault, cause, startsAt, managementUrl));
        }
    }

    /// <summary>
    /// The drill ended: resolves the alert (the fault is gone, mitigated or removed) and says where the postmortem is.
    /// </summary>
    public async Task<DrillIncident> CompleteAsync(bool recovered, CancellationToken ct)
    {
        Task? firing;
        lock (_gate) firing = _firing;
        if (firing is not null) await firing.ConfigureAwait(false);
        if (_id is null || _alert is null)
        {
            var note = firing is null ? "the drill named no cause, so no alert was sent" : $"the alert was not taken: {_problem}";
            _say($"incident service: {note}");
            return new DrillIncident { Service = Service.ToString(), Status = firing is null ? "not_detected" : "failed", Note = note };
        }

        var alert = new AlertmanagerAlert
        {
            Status = AlertmanagerStatus.Resolved,
            Labels = new(_alert.Labels!),
            Annotations = new(_alert.Annotations!)
            {
                ["resolution"] = recovered ? "the drill verified recovery" : "the drill ended without verified recovery (fault removed)",
            },
            StartsAt = _alert.StartsAt,
            EndsAt = DateTimeOffset.UtcNow,
            GeneratorUrl = _alert.GeneratorUrl,
            Fingerprint = _alert.Fingerprint,
        };
        var (outcome, _) = await PostAsync(Body(AlertmanagerStatus.Resolved, alert), ct).ConfigureAwait(false);
        if (outcome is not null) _status = outcome;
        var postmortem = new Uri(Service, $"/incidents/{_id}/postmortem");
        _say($"incident {_id}: {_status}; postmortem {postmortem}");
        return new DrillIncident
        {
            Service = Service.ToString(),
            Id = _id,
            Url = new Uri(Service, $"/incidents/{_id}").ToString(),
            PostmortemUrl = postmortem.ToString(),
            PostmortemApiUrl = new Uri(Service, $"/api/incidents/{_id}/postmortem").ToString(),
            Status = _status,
            Note = outcome is null ? $"opened; resolving it failed: {_problem}" : $"opened when the cause was named, {_status} when the drill ended",
        };
    }

    private async Task FireAsync(string fault, RootCause cause, DateTimeOffset startsAt, Uri managementUrl)
    {
        try
        {
            var pool = await PoolNameAsync(managementUrl).ConfigureAwait(false) ?? "drill";
            var labels = new Dictionary<string, string>
            {
                ["alertname"] = AlertName,
                ["fault"] = fault,
                ["cause"] = cause.Kind,
                ["pool"] = pool,
                ["severity"] = "page",
                ["instance"] = managementUrl.Authority,
                ["job"] = "lifeguard-drill",
                ["drill_run"] = _run,
            };
            var annotations = new Dictionary<string, string>
            {
                ["summary"] = $"Drill --fault {fault}: the live diagnosis named {cause.Kind}",
                ["description"] = cause.Summary,
                ["remedy"] = cause.Remedy,
                ["runbook_url"] = "deploy/RUNBOOK.md",
            };
            var alert = new AlertmanagerAlert
            {
                Status = AlertmanagerStatus.Firing,
                Labels = labels,
                Annotations = annotations,
                StartsAt = startsAt,
                EndsAt = default, // Alertmanager's "still firing"
                GeneratorUrl = "",
                Fingerprint = Fingerprint(labels),
            };
            // one group per drill run: a drill never re-opens (or joins) the incident of an earlier one
            _groupKey = $"{{}}:{{alertname=\"{AlertName}\", drill_run=\"{_run}\"}}";
            var (outcome, id) = await PostAsync(Body(AlertmanagerStatus.Firing, alert), CancellationToken.None).ConfigureAwait(false);
            // the answer may be lost (a timeout on a busy machine) after the service took the alert: ask for the group
            if (id is null && await LookupAsync().ConfigureAwait(false) is { } found) (outcome, id) = ("opened", found);
            if (id is null) return;
            _alert = alert;
            _id = id;
            _status = outcome!;
            _say($"incident service: incident {id} {outcome} for the drill's {cause.Kind} ({new Uri(Service, $"/incidents/{id}")})");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            _problem = e.Message;
            _say($"incident service: posting the drill's alert failed: {e.Message}");
        }
    }

    // The body Alertmanager would send for the drill's one-alert group, in the shared v4 model the intake reads.
    private AlertmanagerWebhook Body(string status, AlertmanagerAlert alert) => new()
    {
        Version = AlertmanagerWebhook.CurrentVersion,
        GroupKey = _groupKey,
        TruncatedAlerts = 0,
        Status = status,
        Receiver = "lifeguard-drill",
        GroupLabels = new() { ["alertname"] = AlertName, ["drill_run"] = _run },
        CommonLabels = new(alert.Labels!),
        CommonAnnotations = new(alert.Annotations!),
        ExternalUrl = "lifeguard drill",
        Alerts = [alert],
    };

    // (outcome, incident id) from the intake's answer; (null, null) after saying why it failed
    private async Task<(string? Outcome, long? Id)> PostAsync(AlertmanagerWebhook body, CancellationToken ct)
    {
        try
        {
            using var content = new StringContent(JsonSerializer.Serialize(body, ContractJson.Options), Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(new Uri("/api/alertmanager", UriKind.Relative), content, ct).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                _problem = $"HTTP {(int)response.StatusCode} from /api/alertmanager: {(text.Length > 200 ? text[..200] : text)}";
                _say("incident service: " + _problem);
                return (null, null);
            }

            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            long? id = root.TryGetProperty("incident_id", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt64() : null;
            return (root.TryGetProperty("outcome", out var o) ? o.GetString() : "unknown", id);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException && !ct.IsCancellationRequested)
        {
            _problem = e.Message;
            _say("incident service: " + e.Message);
            return (null, null);
        }
    }

    // the drill's incident by its alert group (GET /api/incidents?group_key=...), or null
    private async Task<long?> LookupAsync()
    {
        try
        {
            var json = await _http.GetStringAsync(new Uri($"/api/incidents?limit=1&group_key={Uri.EscapeDataString(_groupKey!)}", UriKind.Relative)).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetArrayLength() > 0 ? doc.RootElement[0].GetProperty("id").GetInt64() : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    // the guard's pool name, as the alert rules put it in `pool` (db_client_connection_pool_name); null when unreadable
    private static async Task<string?> PoolNameAsync(Uri managementUrl)
    {
        try
        {
            using var http = new HttpClient { BaseAddress = managementUrl, Timeout = RequestTimeout };
            var state = await LifeguardStateReader.ReadAsync(http).ConfigureAwait(false);
            return string.IsNullOrEmpty(state.PoolName) ? null : state.PoolName;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    // Alertmanager's fingerprint is a hash of the label set; any stable hash of it serves as the alert's identity here
    private static string Fingerprint(Dictionary<string, string> labels) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u00ff", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}\u00fe{l.Value}")))))[..16];

    public void Dispose() => _http.Dispose();
}
