using System.Net;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

public sealed class RateLimitTests(RateLimitFixture site) : IClassFixture<RateLimitFixture>
{
    [Fact]
    public async Task LoginPost_OverTheLimit_Returns429ButGetsStillWork()
    {
        using var client = site.NewClient();
        for (var i = 0; i < 3; i++)
        {
            using var r = await client.LoginAsync(site.Data.A.Email, "Wrong-Password-" + i);
            r.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var limited = await client.LoginAsync(site.Data.A.Email, KnownDataSet.Password);
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        // When the window reopens (up to 10 minutes away), not the generic minute of other 429s.
        limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeInRange(61, 600);
        (await limited.Content.ReadAsStringAsync()).ShouldContain("Too many attempts");

        // The limit is per IP, not per cookie jar: a fresh client from the same address is limited too.
        using var other = site.NewClient();
        using var register = await other.RegisterAsync("ratelimited@example.test", "Strong-Password-1");
        register.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        using var get = await other.Http.GetAsync("/account/login");
        get.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
