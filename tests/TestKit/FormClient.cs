using System.Net;
using System.Text.RegularExpressions;

namespace Lifeguard.TestKit;

/// <summary>A browser-like client of an app's pages: its own cookie jar, no automatic redirects, the antiforgery token read from the page.</summary>
public partial class FormClient : IDisposable
{
    /// <summary>A client of <paramref name="baseAddress"/>.</summary>
    public FormClient(Uri baseAddress)
    {
        Cookies = new CookieContainer();
        Http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>The client (cookies kept, redirects not followed).</summary>
    public HttpClient Http { get; }

    /// <summary>The cookie jar.</summary>
    public CookieContainer Cookies { get; }

    /// <summary>The antiforgery token of the form on <paramref name="path"/>.</summary>
    public async Task<string> TokenAsync(string path = "/account/login")
    {
        var html = await Http.GetStringAsync(path);
        var m = TokenRegex().Match(html);
        return m.Success ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("no antiforgery token on " + path);
    }

    /// <summary>Posts a form, with the antiforgery token of <paramref name="tokenFrom"/> (default: the same page) unless <paramref name="withToken"/> is false.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, string? tokenFrom = null, bool withToken = true)
    {
        var all = fields.ToList();
        if (withToken) all.Add(new("__RequestVerificationToken", await TokenAsync(tokenFrom ?? path)));
        return await Http.PostAsync(path, new FormUrlEncodedContent(all));
    }

    /// <summary>Posts the login form (both apps' is /account/login with Email, Password and an optional ReturnUrl).</summary>
    public Task<HttpResponseMessage> LoginAsync(string email, string password, string? returnUrl = null)
    {
        var fields = new List<KeyValuePair<string, string>> { new("Email", email), new("Password", password) };
        if (returnUrl is not null) fields.Add(new("ReturnUrl", returnUrl));
        return PostFormAsync("/account/login", fields);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the client.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) Http.Dispose();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();
}
