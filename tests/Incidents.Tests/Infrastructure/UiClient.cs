using System.Net;
using System.Text.RegularExpressions;

namespace Incidents.Tests.Infrastructure;

/// <summary>A browser-like client: own cookie jar, no automatic redirects, antiforgery token from the page.</summary>
internal sealed partial class UiClient : IDisposable
{
    public UiClient(Uri baseAddress)
    {
        Cookies = new CookieContainer();
        Http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public HttpClient Http { get; }

    public CookieContainer Cookies { get; }

    public async Task<string> TokenAsync(string path)
    {
        var html = await Http.GetStringAsync(path);
        var m = TokenRegex().Match(html);
        return m.Success ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("no antiforgery token on " + path);
    }

    public async Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, string? tokenFrom = null, bool withToken = true)
    {
        var all = fields.ToList();
        if (withToken) all.Add(new("__RequestVerificationToken", await TokenAsync(tokenFrom ?? path)));
        return await Http.PostAsync(path, new FormUrlEncodedContent(all));
    }

    public Task<HttpResponseMessage> LoginAsync(string email, string password) =>
        PostFormAsync("/account/login", [new("Email", email), new("Password", password)]);

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();
}
