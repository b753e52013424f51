using System.Net;
using System.Text.RegularExpressions;

namespace Lifeguard.Cli.Load;

/// <summary>
/// One logged-in user of the website. Cookies are kept per session by hand so that all sessions
/// share one HttpClient (and its connection pool) instead of one socket pool per user.
/// </summary>
internal sealed partial class SiteSession
{
    private readonly HttpClient _http;
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public SiteSession(HttpClient http, string email, Uri? site = null, int target = 0)
    {
        _http = http;
        Email = email;
        Site = site;
        Target = target;
    }

    public string Email { get; }

    /// <summary>The site this user logged in on; relative requests go there (null: the client's base address).</summary>
    public Uri? Site { get; }

    /// <summary>Index of <see cref="Site"/> among the run's targets (the per-URL counts).</summary>
    public int Target { get; }

    private const int BusyRetries = 4;
    private static readonly TimeSpan MaxBusyWait = TimeSpan.FromSeconds(2);

    /// <summary>Logs in through the real form (antiforgery token included); waits out a 429 until the deadline, and a 503 +
    /// Retry-After (shed by admission control) a few times.</summary>
    public async Task LoginAsync(string password, DateTimeOffset deadline, CancellationToken ct)
    {
        var busyRetries = 0;
        while (true)
        {
            using var form = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/account/login"), ct).ConfigureAwait(false);
            var html = await form.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (form.StatusCode != HttpStatusCode.OK)
            {
                throw new LoginFailedException(LoginFailure("GET /account/login", (int)form.StatusCode, "", Email));
            }

            var token = AntiforgeryField().Match(html) is { Success: true } m
                ? WebUtility.HtmlDecode(m.Groups["v"].Value)
                : throw new LoginFailedException("the login page has no __RequestVerificationToken field.");

            var post = new HttpRequestMessage(HttpMethod.Post, "/account/login")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["Email"] = Email,
                    ["Password"] = password,
                    ["__RequestVerificationToken"] = token,
                }),
            };
            using var answer = await SendAsync(post, ct).ConfigureAwait(false);
            if (answer.StatusCode == HttpStatusCode.ServiceUnavailable && answer.Headers.RetryAfter is not null && busyRetries < BusyRetries)
            {
                // A saturated pool under admission control sheds the login (503 + Retry-After): a real user retries a few
                // times. A few only: a site whose database is down answers the same, and that must be reported soon.
                busyRetries++;
                var busyWait = answer.Headers.RetryAfter.Delta ?? TimeSpan.FromSeconds(1);
                await Task.Delay(busyWait < MaxBusyWait ? busyWait : MaxBusyWait, ct).ConfigureAwait(false);
                continue;
            }

            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
            {
                // The site rate-limits logins; a real user would wait too.
                var wait = answer.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(2);
                if (DateTimeOffset.UtcNow + wait > deadline)
                {
                    throw new LoginFailedException(
                        $"POST /account/login answered 429 (Retry-After {wait.TotalSeconds:0} s), past the login deadline: the website admits only so many " +
                        "login POSTs per address per window (Website:AccountPostPermitLimit, 10 a minute by default). Start it with " +
                        "Website__AccountPostPermitLimit=1000 (./run.sh does so unless told otherwise), or use fewer --users.");
                }

                await Task.Delay(wait, ct).ConfigureAwait(false);
                continue;
            }

            var location = answer.Headers.Location?.ToString() ?? "";
            if ((int)answer.StatusCode is 302 or 303 && !location.Contains("/account/login", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            throw new LoginFailedException(LoginFailure("POST /account/login", (int)answer.StatusCode, location, Email));
        }
    }

    /// <summary>What a failed login answer means: a 503 is the site being unavailable (its database or pool), not a
    /// wrong password; other 5xx are the site failing; anything else is refused credentials.</summary>
    internal static string LoginFailure(string request, int status, string location, string email)
    {
        var answered = $"{request} for {email} answered {status} {location}".TrimEnd();
        return status switch
        {
            503 => $"{answered}: the site is unavailable (its database or connection pool is not serving); check its /health and log.",
            >= 500 => $"{answered}: the site failed; check its log.",
            _ => $"{answered} (wrong password or user not seeded?).",
        };
    }

    /// <summary>Sends a request with this session's cookies and keeps the cookies the answer sets.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        string? cookieHeader;
        lock (_gate)
        {
            cookieHeader = _cookies.Count == 0 ? null : string.Join("; ", _cookies.Select(c => c.Key + "=" + c.Value));
        }

        if (cookieHeader is not null) request.Headers.Add("Cookie", cookieHeader);
        if (Site is not null && request.RequestUri is { IsAbsoluteUri: false } relative) request.RequestUri = new Uri(Site, relative);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            lock (_gate)
            {
                foreach (var sc in setCookies)
                {
                    var pair = sc.Split(';', 2)[0];
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0) continue;
                    var name = pair[..eq].Trim();
                    var value = pair[(eq + 1)..].Trim();
                    if (value.Length == 0 || sc.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)) _cookies.Remove(name);
                    else _cookies[name] = value;
                }
            }
        }

        return response;
    }

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"(?<v>[^\"]*)\"|<input[^>]*value=\"(?<v>[^\"]*)\"[^>]*name=\"__RequestVerificationToken\"", RegexOptions.IgnoreCase)]
    private static partial Regex AntiforgeryField();
}
