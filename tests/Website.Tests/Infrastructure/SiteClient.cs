using System.Net;
using System.Text.RegularExpressions;

namespace Website.Tests.Infrastructure;

/// <summary>A browser-like HTTP client: own cookie jar, no automatic redirects, antiforgery token handling.</summary>
internal sealed partial class SiteClient : IDisposable
{
    public SiteClient(Uri baseAddress)
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

    public async Task<string> GetTokenAsync(string path = "/account/login")
    {
        var html = await Http.GetStringAsync(path);
        var m = TokenRegex().Match(html);
        return m.Success ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("no antiforgery token on " + path);
    }

    public async Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, bool withToken = true, string? tokenFrom = null)
    {
        var all = fields.ToList();
        if (withToken)
        {
            all.Add(new("__RequestVerificationToken", await GetTokenAsync(tokenFrom ?? path)));
        }

        return await Http.PostAsync(path, new FormUrlEncodedContent(all));
    }

    public Task<HttpResponseMessage> LoginAsync(string email, string password, string? returnUrl = null)
    {
        var fields = new List<KeyValuePair<string, string>> { new("Email", email), new("Password", password) };
        if (returnUrl is not null)
        {
            fields.Add(new("ReturnUrl", returnUrl));
        }

        return PostFormAsync("/account/login", fields);
    }

    public Task<HttpResponseMessage> RegisterAsync(string email, string password) =>
        PostFormAsync("/account/register", [new("Email", email), new("Password", password)]);

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();
}
