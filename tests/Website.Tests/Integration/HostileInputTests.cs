using System.Net.Http.Headers;
using System.Text;
using Npgsql;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

public sealed class HostileInputTests(HostileInputFixture site) : IClassFixture<HostileInputFixture>
{
    private static readonly string Huge = new('A', 100 * 1024);

    public static TheoryData<string, string, string> Fields() => new()
    {
        { "/account/login", "' OR '1'='1", "' OR '1'='1" },
        { "/account/login", "alice@alpha.test' --", "x" },
        { "/account/login", "x@example.com'; DROP TABLE users; --", "'); DELETE FROM orders; --" },
        { "/account/login", "<script>alert(1)</script>@example.com", "p" },
        { "/account/login", Huge, Huge },
        { "/account/login", "alice@alpha.test", Huge },
        { "/account/login", "a\u0000b@example.com", "\u0000" },
        { "/account/register", "' OR 1=1 --@example.com", "Strong-Password-1" },
        { "/account/register", "robert'); DROP TABLE users;--@example.com", "Strong-Password-1" },
        { "/account/register", Huge + "@example.com", "Strong-Password-1" },
        { "/account/register", "big@example.com", Huge },
        { "/account/register", "<img src=x onerror=alert(1)>", "<script>x</script>Aa1" },
    };

    private static async Task AssertHandledAsync(HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        ((int)r.StatusCode).ShouldBeInRange(400, 499, body.Length > 500 ? body[..500] : body);
        body.ShouldNotContain("Exception");
        body.ShouldNotContain("   at ");
        body.ShouldNotContain("Npgsql");
        body.ShouldNotContain("<script>alert");
        body.ShouldNotContain("<img src=x");
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task Post_HostileFieldsWithValidToken_Get4xxNever500(string path, string email, string password)
    {
        using var client = site.NewClient();
        using var r = await client.PostFormAsync(path, [new("Email", email), new("Password", password)]);
        await AssertHandledAsync(r);
    }

    [Theory]
    [InlineData("/account/login")]
    [InlineData("/account/register")]
    public async Task Post_InvalidUtf8Bytes_Get4xx(string path)
    {
        using var client = site.NewClient();
        var token = Uri.EscapeDataString(await client.TokenAsync(path));
        var body = new List<byte>();
        body.AddRange(Encoding.ASCII.GetBytes($"__RequestVerificationToken={token}&Email=a"));
        body.AddRange([0xC3, 0x28, 0xFF, 0xFE]);
        body.AddRange(Encoding.ASCII.GetBytes("@example.com&Password=%FF%FE%C3%28Aa1-bbbbbbbb"));
        body.AddRange([0xED, 0xA0, 0x80]);
        using var content = new ByteArrayContent([.. body]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var r = await client.Http.PostAsync(path, content);
        await AssertHandledAsync(r);
    }

    public static TheoryData<string, string, string> WrongContentTypes() => new()
    {
        { "/account/login", "application/json", "{\"Email\":\"alice@alpha.test\",\"Password\":\"Known-Password-9\"}" },
        { "/account/register", "application/json", "{\"Email\":\"json@example.com\",\"Password\":\"Strong-Password-1\"}" },
        { "/account/login", "text/plain", "Email=alice@alpha.test&Password=Known-Password-9" },
        { "/account/login", "application/xml", "<login><email>a</email></login>" },
        { "/account/login", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"Email\"\r\n\r\nbroken" },
        { "/account/register", "multipart/form-data", "no boundary at all" },
        { "/account/login", "application/x-www-form-urlencoded; charset=utf-32", "Email=a&Password=b" },
    };

    [Theory]
    [MemberData(nameof(WrongContentTypes))]
    public async Task Post_WrongContentType_Gets4xx(string path, string contentType, string payload)
    {
        using var client = site.NewClient();
        await client.TokenAsync(path);
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(payload));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var r = await client.Http.PostAsync(path, content);
        await AssertHandledAsync(r);
    }

    [Fact]
    public async Task Post_MultipartWithValidTokenAndWrongPassword_Gets401()
    {
        using var client = site.NewClient();
        var token = await client.TokenAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("alice@alpha.test"), "Email" },
            { new StringContent("'; SELECT pg_sleep(10); --"), "Password" },
        };
        using var r = await client.Http.PostAsync("/account/login", form);
        ((int)r.StatusCode).ShouldBe(401);
    }

    [Theory]
    [InlineData("/account/login?ReturnUrl=")]
    [InlineData("/dashboard?q=")]
    public async Task Get_HugeQueryString_Gets4xx(string prefix)
    {
        using var client = site.NewClient();
        using var r = await client.Http.GetAsync(prefix + Huge);
        await AssertHandledAsync(r);
    }

    [Fact]
    public async Task HostileInput_AfterAllAttempts_DataIsIntact()
    {
        using var client = site.NewClient();
        using (await client.PostFormAsync("/account/login", [new("Email", "x'; DROP TABLE users; --@e.com"), new("Password", "'); DROP TABLE orders; --")]))
        {
        }

        await using var c = await site.Db.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT (SELECT count(*) FROM users WHERE email IN ('alice@alpha.test', 'bob@bravo.test')), (SELECT count(*) FROM orders)", c);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        reader.GetInt64(0).ShouldBe(2);
        reader.GetInt64(1).ShouldBeGreaterThanOrEqualTo(600);
    }
}
