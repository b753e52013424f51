using Microsoft.Playwright;
using Website.Tests.Infrastructure;

namespace Website.Tests.Browser;

public sealed class BrowserTests(BrowserFixture site) : IClassFixture<BrowserFixture>
{
    private async Task<IPage> NewPageAsync()
    {
        if (site.Browser is null)
        {
            if (TestEnvironment.IsCi)
            {
                throw new InvalidOperationException($"{BrowserFixture.ChromiumPath} is missing and CI is set: Chromium is required (eng/prereqs.sh browser).");
            }

            Assert.Skip($"{BrowserFixture.ChromiumPath} is not installed");
        }

        var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = site.Site.BaseAddress.ToString() });
        // A bound, not a speed check: register and login each hash a password (PBKDF2), which on a shared 2-core machine
        // running the other suites took over 15 s at times.
        context.SetDefaultTimeout(60_000);
        return await context.NewPageAsync();
    }

    // A navigation that never arrives says where the page is and what it shows (an error page, a validation message), so
    // a failure under the parallel suites can be told apart from a slow one.
    private static async Task WaitForUrlAsync(IPage page, string glob)
    {
        // The page's URL, polled, not Playwright's WaitForURL: when the URL already matches, that waits for a load state
        // (even with WaitUntil = Commit), and under the parallel suites the state never reached Playwright in 60 s while
        // the page was there, showing its content (CI, twice). The URL is the client's own record of the navigation; what
        // the test does next (fill, click, read text) waits for its element anyway.
        var suffix = glob.TrimStart('*');
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!page.Url.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            if (DateTime.UtcNow > deadline)
            {
                var text = await page.InnerTextAsync("body", new PageInnerTextOptions { Timeout = 5_000 }).ConfigureAwait(false);
                throw new TimeoutException($"waited for {glob}; the page is at {page.Url} and shows: {text[..Math.Min(600, text.Length)]}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken).ConfigureAwait(false);
        }
    }

    // The same reason as above: a navigation is done when its response arrived (redirects are the server's, so the URL is
    // final by then); the next step waits for the element it needs.
    private static Task GoAsync(IPage page, string url) =>
        page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });

    [Fact]
    public async Task Browser_RegisterLoginDashboardLogout_WorksEndToEnd()
    {
        var page = await NewPageAsync();
        var email = $"browser-{Guid.NewGuid():N}"[..20] + "@example.test";

        await GoAsync(page, "/");
        page.Url.ShouldEndWith("/account/login");
        await page.ClickAsync("text=Register");
        await page.FillAsync("#Email", email);
        await page.FillAsync("#Password", "Browser-Password-7");
        await page.ClickAsync("#register");
        await WaitForUrlAsync(page, "**/account/login?registered=true");
        await page.Locator("#registered").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });

        await page.FillAsync("#Email", email);
        await page.FillAsync("#Password", "Browser-Password-7");
        await page.ClickAsync("#login");
        await WaitForUrlAsync(page, "**/dashboard");

        (await page.TextContentAsync("#user-email"))!.ShouldBe(email);
        // Counted once the whole document is in: after a commit the parser may still be on the way down.
        // (#recent-orders is the page's last table).
        await page.Locator("#recent-orders tbody tr").Nth(9).WaitForAsync();
        (await page.Locator("#revenue-chart svg").CountAsync()).ShouldBe(1);
        (await page.Locator("#revenue-chart svg rect.bar").CountAsync()).ShouldBe(30);
        (await page.Locator("#recent-orders tbody tr").CountAsync()).ShouldBe(10);
        (await page.Locator("#top-products tbody tr").CountAsync()).ShouldBe(5);
        (await page.TextContentAsync("#total-revenue"))!.ShouldStartWith("$");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "dashboard.png"), FullPage = true });

        await page.ClickAsync("#logout");
        await WaitForUrlAsync(page, "**/account/login");
        await GoAsync(page, "/dashboard");
        page.Url.ShouldContain("/account/login");
    }

    [Fact]
    public async Task Browser_WrongPassword_ShowsGenericErrorAndStaysOnLogin()
    {
        var page = await NewPageAsync();
        await GoAsync(page, "/account/login");
        await page.FillAsync("#Email", site.Data.A.Email);
        await page.FillAsync("#Password", "Not-The-Password-1");
        await page.ClickAsync("#login");
        (await page.TextContentAsync("#error"))!.ShouldBe("Invalid email or password.");
        page.Url.ShouldEndWith("/account/login");
    }

    [Fact]
    public async Task Browser_LivePoolPage_RunsUnderTheSitesCspAndShowsTheDashboardsLeases()
    {
        var page = await NewPageAsync();
        var blocked = new List<string>();
        page.Console += (_, m) => { if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) blocked.Add(m.Text); };
        await GoAsync(page, "/account/login");
        await page.FillAsync("#Email", site.Data.A.Email);
        await page.FillAsync("#Password", KnownDataSet.Password);
        await page.ClickAsync("#login");
        await WaitForUrlAsync(page, "**/dashboard");

        // The live page is on the management address, not the site's port.
        await GoAsync(page, new Uri(site.Site.ManagementAddress, "/lifeguard").ToString());
        // The page fills itself from /lifeguard/state: the tiles only get numbers if its script ran.
        await page.WaitForFunctionAsync("() => Number(document.getElementById('leases').textContent) > 0");
        (await page.TextContentAsync("#status"))!.ShouldBe("ok");
        (await page.TextContentAsync("#ops"))!.ShouldContain("GET /dashboard");
        blocked.ShouldBeEmpty();
    }

    [Fact]
    public async Task Browser_LivePageCharts_DrawTheHistoryAndShadeANamedCause()
    {
        var page = await NewPageAsync();
        var console = new List<string>();
        page.Console += (_, m) => console.Add(m.Type + ": " + m.Text);
        page.PageError += (_, e) => console.Add("error: " + e);
        await GoAsync(page, new Uri(site.Site.ManagementAddress, "/lifeguard").ToString());

        // The site's own history: after a few seconds of diagnosis the charts draw, each series a path with a point a second.
        var state = "";
        for (var i = 0; i < 240 && !state.StartsWith("drawn", StringComparison.Ordinal); i++)
        {
            // The fixture's site runs on a fake clock: its diagnosis seconds are stamped with it, so it has to move.
            site.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(250, TestContext.Current.CancellationToken);
            state = await page.EvaluateAsync<string?>("() => document.getElementById('charts') && document.getElementById('charts').getAttribute('data-state')") ?? "(no #charts)";
        }
        state.StartsWith("drawn", StringComparison.Ordinal).ShouldBeTrue("charts: " + state + "; console: " + string.Join(" | ", console));
        var charts = await page.EvaluateAsync<string[]>("() => Array.from(document.querySelectorAll('#charts svg')).map(s => s.getAttribute('data-chart'))");
        charts.ShouldBe(["pool", "latency", "failures", "server"]); // the site's diagnoser reads the server too
        var points = await page.EvaluateAsync<int>("() => (document.querySelector('#charts svg[data-chart=pool] path[data-series=max]').getAttribute('d').match(/[ML]/g) || []).length");
        points.ShouldBeGreaterThanOrEqualTo(2);
        (await page.EvaluateAsync<int>("() => document.querySelectorAll('#history tr').length")).ShouldBeGreaterThan(0);

        // The drawing itself, on a history with an incident in it (the same renderer, fed 15 minutes with 70 s of
        // lock_contention): one band for the run of seconds, a change line where it began and one where it ended.
        var drawn = await page.EvaluateAsync<string[]>("""
            () => {
              const t0 = Date.parse('2026-12-06T05:00:00Z'), rows = [];
              for (let i = 0; i < 900; i++) {
                const lock = i >= 600 && i < 670;
                rows.push({ at: new Date(t0 + i * 1000).toISOString(), cause: lock ? 'lock_contention' : 'healthy', in_use: lock ? 10 : 2, max: 10,
                  waiters: lock ? 6 : 0, wait_p99_ms: lock ? 900 : 1, hold_p99_ms: lock ? 3000 : 4, failures: 0, active_on_cpu: 1,
                  lock_waiters: lock ? 9 : 0, active_waiting: 0, cores: 2 });
              }
              const box = document.createElement('div'); document.body.appendChild(box);
              window.LifeguardCharts.render(box, rows);
              const bands = Array.from(box.querySelectorAll('svg[data-chart=pool] rect.band')).map(b => b.getAttribute('data-cause') + ' ' + Math.round(Number(b.getAttribute('width'))));
              const changes = Array.from(box.querySelectorAll('svg[data-chart=pool] line.change')).length;
              return [box.getAttribute('data-state'), String(changes)].concat(bands);
            }
            """);
        drawn[0].ShouldBe("drawn 900 s");
        drawn[1].ShouldBe("2");
        // 70 of 900 seconds across the plot's 900 px width: about 70 px wide.
        drawn.Skip(2).ShouldHaveSingleItem().ShouldStartWith("lock_contention ");
        int.Parse(drawn[2].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(60, 80);

        var shot = Path.Combine(AppContext.BaseDirectory, "live-page-charts.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        new FileInfo(shot).Length.ShouldBeGreaterThan(20_000); // a page of charts, not a blank one
    }
}
