using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Faults;

/// <summary>
/// The website leaking connections on one route: with the site's fault switch on (Website:Faults:LeakRoute, set only by
/// the drill for a site it starts), calls GET /drill/leak <c>perSecond</c> times a second, each leaking one pooled
/// connection, until stopped. The cure is naming the route and its stack from the leak report and restarting the site
/// with the switch off.
/// </summary>
internal sealed class LeakInjector(Func<Uri> siteUrl, double perSecond) : IFaultInjector
{
    /// <summary>The site setting that turns the switch on.</summary>
    public const string SwitchSetting = "Website__Faults__LeakRoute";
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _leaked;

    public string Description => $"GET /drill/leak {perSecond:0.#}/s (the site's leak fault switch on), {_leaked} connection(s) leaked";

    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        // The first call proves the switch is on (404 when it is off).
        using (var first = await http.GetAsync(new Uri(siteUrl(), "/drill/leak"), ct).ConfigureAwait(false))
        {
            first.EnsureSuccessStatusCode();
        }

        _leaked = 1;
        _loop = LoopAsync();
    }

    private async Task LoopAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / perSecond));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    using var r = await http.GetAsync(new Uri(siteUrl(), "/drill/leak"), _stop.Token).ConfigureAwait(false);
                    if (r.IsSuccessStatusCode) Interlocked.Increment(ref _leaked);
                }
                catch (Exception e) when (e is HttpRequestException || e is TaskCanceledException && !_stop.IsCancellationRequested)
                {
                    // A starved pool makes the leaking route fail too; keep calling.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops calling the leaking route.</summary>
    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
