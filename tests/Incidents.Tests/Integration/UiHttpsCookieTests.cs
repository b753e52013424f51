using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Incidents.Tests.Infrastructure;

namespace Incidents.Tests.Integration;

/// <summary>Served over HTTPS (a throwaway self-signed certificate), the auth cookie is <c>__Host-incidents.auth</c> with Secure.</summary>
public sealed class UiHttpsCookieTests : IAsyncLifetime
{
    private readonly string _pfx = Path.Combine(Path.GetTempPath(), $"incidents-test-{Guid.NewGuid():N}.pfx");
    private TestDatabase _db = null!;
    private RunningService _service = null!;

    public async ValueTask InitializeAsync()
    {
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(_pfx, cert.Export(X509ContentType.Pfx, "test"));
        }

        _db = await TestDatabase.CreateAsync();
        _service = await RunningService.StartAsync(_db.ConnectionString, new Dictionary<string, string?>
        {
            ["Kestrel:Certificates:Default:Path"] = _pfx,
            ["Kestrel:Certificates:Default:Password"] = "test",
        }, url: "https://127.0.0.1:0");
    }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await _db.DisposeAsync();
        File.Delete(_pfx);
    }

    [Fact]
    public async Task Login_OverHttps_SetsHostPrefixedSecureCookieThatOpensThePages()
    {
        var jar = new CookieContainer();
        using var handler = new HttpClientHandler
        {
            CookieContainer = jar,
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        };
        using var http = new HttpClient(handler) { BaseAddress = _service.BaseAddress };
        var html = await http.GetStringAsync("/account/login");
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var login = await http.PostAsync("/account/login", new FormUrlEncodedContent(
            [new("Email", RunningService.ViewerEmail), new("Password", RunningService.Password), new("__RequestVerificationToken", WebUtility.HtmlDecode(token))]));
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var auth = login.Headers.GetValues("Set-Cookie").Single(c => c.Contains("incidents.auth=", StringComparison.Ordinal));
        auth.ShouldStartWith("__Host-incidents.auth=");
        auth.ShouldContain("secure", Case.Insensitive);
        auth.ShouldContain("path=/", Case.Insensitive);
        auth.ShouldNotContain("domain=", Case.Insensitive);
        (await http.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
