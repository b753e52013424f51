using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Lifeguard.Cli.Drill;

/// <summary>The website, started as its own process with a given connection string, stopped on dispose. Its pages are
/// at <see cref="Url"/>, its /metrics and /lifeguard/state at <see cref="ManagementUrl"/>.</summary>
internal sealed class SiteProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    private SiteProcess(Process process, Uri url, Uri managementUrl)
    {
        _process = process;
        Url = url;
        ManagementUrl = managementUrl;
    }

    public Uri Url { get; }

    /// <summary>The site's management address (operational endpoints answer 404 on <see cref="Url"/>).</summary>
    public Uri ManagementUrl { get; }

    public static async Task<SiteProcess> StartAsync(Checkout checkout, string connectionString, IDictionary<string, string> settings, CancellationToken ct)
    {
        var port = FreeLoopbackPort();
        var url = new Uri($"http://127.0.0.1:{port}");
        var managementUrl = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(checkout.WebsiteDll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(checkout.WebsiteDll);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add(url.ToString());
        psi.Environment["ConnectionStrings__Main"] = connectionString;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Lifeguard__Endpoints__ManagementPort"] = managementUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (k, v) in settings) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the website");
        var site = new SiteProcess(process, url, managementUrl);
        process.OutputDataReceived += (_, e) => site.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => site.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"the website exited ({process.ExitCode}): {site.Tail()}");
            try
            {
                // Both listeners: the drill scrapes the management address from its first second.
                using var r = await http.GetAsync(new Uri(url, "/health"), ct).ConfigureAwait(false);
                using var m = await http.GetAsync(new Uri(managementUrl, "/health"), ct).ConfigureAwait(false);
                return site;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            await Task.Delay(200, ct).ConfigureAwait(false);
        }

        await site.DisposeAsync().ConfigureAwait(false);
        throw new TimeoutException($"the website did not answer /health on both its addresses within 30 s: {site.Tail()}");
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > 20) _lastLines.Dequeue();
        }
    }

    public string Tail()
    {
        lock (_lastLines) return string.Join(Environment.NewLine, _lastLines);
    }

    private static int FreeLoopbackPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }
}
