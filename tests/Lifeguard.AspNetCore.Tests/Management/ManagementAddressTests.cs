using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using Lifeguard.TestSupport;

namespace Lifeguard.AspNetCore.Tests.Management;

public sealed class ManagementAddressTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Operational = ["/metrics", "/lifeguard", "/lifeguard/page.js", "/lifeguard/state"];

    [Fact]
    public async Task PublicPort_OperationalEndpoints_Answer404WhileTheManagementAddressServesThem()
    {
        await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests"));
        var management = app.Services.GetRequiredService<LifeguardManagementAddress>();
        management.Port.ShouldNotBeNull();
        management.Port.ShouldNotBe(0);
        app.Management.BaseAddress!.Port.ShouldNotBe(app.Client.BaseAddress!.Port);
        foreach (var path in Operational)
        {
            using var pub = await app.Client.GetAsync(path, Ct);
            pub.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"public {path}");
            using var mgmt = await app.Management.GetAsync(path, Ct);
            mgmt.StatusCode.ShouldBe(HttpStatusCode.OK, $"management {path}");
        }
    }

    [Fact]
    public async Task PublicPort_HostHeaderNamingTheManagementPort_StillAnswers404()
    {
        await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/lifeguard/state");
        request.Headers.Host = $"127.0.0.1:{app.Management.BaseAddress!.Port}"; // the client chooses the Host header, not the port
        using var response = await app.Client.SendAsync(request, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("DELETE")]
    public async Task PublicPort_OtherMethodsOnOperationalPaths_Answer404Not405(string method)
    {
        // A 405 would tell an outsider the endpoint exists.
        await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests"));
        foreach (var path in Operational)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            using var response = await app.Client.SendAsync(request, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"{method} {path}");
        }
    }

    [Fact]
    public async Task ManagementPort_TheAppsOwnEndpoints_Answer404()
    {
        await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests"));
        using var viaManagement = await app.Management.GetAsync("/query", Ct);
        viaManagement.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var viaPublic = await app.Client.GetAsync("/query", Ct);
        viaPublic.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Health_PublicPort_GivesStatusOnlyAndTheManagementAddressTheDetails()
    {
        await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests"));
        using var pub = await app.Client.GetAsync("/health", Ct);
        pub.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await pub.Content.ReadAsStringAsync(Ct);
        var body = JsonDocument.Parse(text).RootElement;
        body.EnumerateObject().Select(p => p.Name).ShouldBe(["status"]);
        body.GetProperty("status").GetString().ShouldBe("Healthy");
        text.ShouldNotContain("127.0.0.1"); // the pool's name is host:port/database

        var (code, details) = await app.HealthAsync();
        code.ShouldBe(200);
        details.GetProperty("checks").GetProperty("lifeguard").GetProperty("data").GetProperty("max").GetInt32().ShouldBe(2);
        details.GetProperty("checks").GetProperty("lifeguard").GetProperty("data").GetProperty("pool").GetString()!.ShouldStartWith("127.0.0.1:");
    }

    [Fact]
    public async Task Health_PublicPortWhileUnhealthy_Answers503WithTheStatusOnly()
    {
        await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 1, timeoutSeconds: 1, application: "lifeguard-web-tests"));
        await app.OpenPhysicalConnectionsAsync(1);
        var holder = app.Client.GetAsync("/hold/3000", Ct);
        await GuardedTestApp.Eventually(async () => (await app.StateAsync()).GetProperty("in_use").GetInt32() == 1, "the only connection held");
        using (var starved = await app.Client.GetAsync("/hold/10", Ct)) starved.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        using var pub = await app.Client.GetAsync("/health", Ct);
        pub.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await pub.Content.ReadAsStringAsync(Ct)).ShouldBe("""{"status":"Unhealthy"}""");
        (await holder).Dispose();
    }

    [Fact]
    public async Task Token_Configured_ManagementAddressAnswers401WithoutItAndServesWithIt()
    {
        const string token = "test-token-0123456789abcdef";
        await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests"),
            endpoints: o => o.Token = token);
        using var anonymous = new HttpClient { BaseAddress = app.Management.BaseAddress };
        using var wrong = new HttpClient { BaseAddress = app.Management.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token + "x");
        foreach (var path in Operational.Append("/health"))
        {
            using var none = await anonymous.GetAsync(path, Ct);
            none.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{path} without a token");
            none.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
            using var bad = await wrong.GetAsync(path, Ct);
            bad.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{path} with a wrong token");
            using var good = await app.Management.GetAsync(path, Ct);
            good.StatusCode.ShouldBe(HttpStatusCode.OK, $"{path} with the token");
        }

        using var publicHealth = await app.Client.GetAsync("/health", Ct); // load balancers need no token
        publicHealth.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task NoManagementPort_ConventionsOnMapLifeguard_ApplyToEveryOperationalEndpointButNotTheStatusHealth()
    {
        // The RequireAuthorization way, shown with RequireHost so the test needs no authentication scheme.
        await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests"),
            endpoints: o => o.ManagementPort = null, map: a => a.MapLifeguard().RequireHost("ops.internal"));
        app.Services.GetRequiredService<LifeguardManagementAddress>().Port.ShouldBeNull();
        foreach (var path in Operational)
        {
            using var plain = await app.Client.GetAsync(path, Ct);
            plain.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = "ops.internal";
            using var ops = await app.Client.SendAsync(request, Ct);
            ops.StatusCode.ShouldBe(HttpStatusCode.OK, path);
        }

        using var health = await app.Client.GetAsync("/health", Ct);
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await health.Content.ReadAsStringAsync(Ct)).ShouldBe("""{"status":"Healthy"}""");
    }

    [Fact]
    public async Task ListenOnManagementPortFalse_AppListensThereItself_OperationalEndpointsAnswerOnlyThere()
    {
        // An app whose own URLs include the management port (e.g. an HTTPS endpoint in its Kestrel configuration).
        var port = FreeLoopbackPort();
        await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests"),
            endpoints: o => { o.ManagementPort = port; o.ListenOnManagementPort = false; },
            urls: $"http://127.0.0.1:0;http://127.0.0.1:{port}");
        app.Management.BaseAddress!.Port.ShouldBe(port);
        using var mgmt = await app.Management.GetAsync("/lifeguard/state", Ct);
        mgmt.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var pub = await app.Client.GetAsync("/lifeguard/state", Ct);
        pub.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static int FreeLoopbackPort()
    {
        using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task StartAsync_TokenWithoutManagementPort_StopsStartupNamingTheToken()
    {
        var ex = await Should.ThrowAsync<OptionsValidationException>(async () =>
        {
            await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests"),
                endpoints: o => { o.ManagementPort = null; o.Token = "test-token-0123456789abcdef"; });
        });
        ex.Message.ShouldContain(nameof(LifeguardEndpointOptions.Token));
        ex.Message.ShouldNotContain("test-token-0123456789abcdef");
    }

    [Fact]
    public async Task TokenFile_Configured_ManagementAddressAnswers401WithoutItAndServesWithIt()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "file-token-0123456789abcdef\n", Ct);
        try
        {
            await using var app = await GuardedTestApp.StartAsync(TestPostgres.For(maxPoolSize: 2, timeoutSeconds: 5, application: "lifeguard-web-tests"),
                endpoints: o => o.TokenFile = file);
            using var anonymous = new HttpClient { BaseAddress = app.Management.BaseAddress };
            (await anonymous.GetAsync("/metrics", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (await app.Management.GetAsync("/metrics", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "with the token from the file, its newline trimmed");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("192.168.1.10")]
    public void Validate_NonLoopbackHostWithoutToken_IsRefusedNamingTheHost(string host)
    {
        var o = new LifeguardEndpointOptions { ManagementPort = 5081, ManagementHost = host };
        var problems = o.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(o)).ToList();
        problems.ShouldHaveSingleItem().ErrorMessage!.ShouldContain($"ManagementHost {host} is not loopback");
        o.Token = "a-token-of-at-least-16-chars";
        o.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(o)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Validate_LoopbackHostWithoutToken_IsFine(string host)
    {
        var o = new LifeguardEndpointOptions { ManagementPort = 5081, ManagementHost = host };
        o.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(o)).ShouldBeEmpty();
    }

    [Fact]
    public void Validate_TokenAndTokenFileTogether_OrAnUnreadableOrShortFile_AreRefused()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-token-" + Guid.NewGuid().ToString("N"));
        var both = new LifeguardEndpointOptions { ManagementPort = 5081, Token = "a-token-of-at-least-16-chars", TokenFile = missing };
        both.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(both)).Select(p => p.ErrorMessage).ShouldContain("Set Token or TokenFile, not both.");
        var unreadable = new LifeguardEndpointOptions { ManagementPort = 5081, ManagementHost = "0.0.0.0", TokenFile = missing };
        var problems = unreadable.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(unreadable)).Select(p => p.ErrorMessage!).ToList();
        problems.ShouldContain(p => p.Contains("TokenFile cannot be read"));
        problems.ShouldContain(p => p.Contains("is not loopback"), "an unreadable file is no token");
        var shortFile = Path.GetTempFileName();
        File.WriteAllText(shortFile, "short\n");
        try
        {
            var tooShort = new LifeguardEndpointOptions { ManagementPort = 5081, TokenFile = shortFile };
            tooShort.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(tooShort)).ShouldHaveSingleItem().ErrorMessage!.ShouldContain("at least 16");
        }
        finally
        {
            File.Delete(shortFile);
        }
    }
}
