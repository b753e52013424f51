using Microsoft.Playwright;
using Website.Tests.Infrastructure;

namespace Website.Tests.Browser;

/// <summary>The site plus one headless Debian Chromium (no browser download), shared by the browser tests.</summary>
public sealed class BrowserFixture : SiteFixture
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    internal IBrowser? Browser { get; private set; }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        if (!File.Exists(ChromiumPath))
        {
            // Without CI the browser tests are skipped (see the test); with CI they fail.
            return;
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
    }

    public override async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}
