using Lifeguard.Cli.Drill.Reporting;
using Lifeguard.Cli.Load;

namespace Lifeguard.Cli.Drill.Engine;

/// <summary>
/// The drill's users: one load runner per site, its users logged in on first use and kept from one phase to the next
/// whatever the rate (logging 24 users in costs seconds on a busy machine); only a new site logs in afresh.
/// </summary>
internal sealed class DrillLoad(DrillOptions options, int users, ServerProbe server, DrillNarrator narrator) : IDisposable
{
    private readonly Dictionary<SiteProcess, LoadRunner> _runners = [];

    /// <summary>How many users log in to each site (the seeded ones, at most <see cref="DrillOptions.Users"/>).</summary>
    public int Users => users;

    /// <summary>The users logged in to <paramref name="site"/>, logging them in on first use.</summary>
    public async Task<LoadRunner> RunnerAsync(SiteProcess site)
    {
        LoadRunner? runner;
        lock (_runners)
        {
            if (!_runners.TryGetValue(site, out runner))
            {
                runner = new LoadRunner(new LoadOptions
                {
                    BaseUrl = site.Url,
                    Users = users,
                    Rate = options.NormalRate,
                    Duration = options.IncidentMax,
                    Slo = options.Slo,
                    RequestTimeout = TimeSpan.FromSeconds(30),
                });
                _runners[site] = runner;
            }
        }

        try
        {
            await runner.LoginAsync(null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (LoginFailedException e)
        {
            // A site that cannot serve its login often cannot get a connection: say how full the server is, from the
            // drill's own session (opened before any fault), so a run that inherits a full server says so.
            var sessions = await server.DescribeSessionsAsync().ConfigureAwait(false);
            if (sessions is null) throw;
            throw new LoginFailedException($"{e.Message}; {sessions}");
        }

        return runner;
    }

    /// <summary>Normal traffic for a few seconds, not measured, before a new site's measured phase: a new process takes
    /// its first requests cold (JIT, the pool's first connections), as a deploy's readiness warm-up would absorb.</summary>
    public async Task WarmUpAsync(SiteProcess site, CancellationToken ct)
    {
        var warmUp = TimeSpan.FromSeconds(3);
        narrator.WarmingUp(options.NormalRate, warmUp);
        var runner = await RunnerAsync(site).ConfigureAwait(false);
        await runner.RunAsync(null, ct, new LatencyRecorder(options.Slo, options.SlowThreshold), warmUp, options.NormalRate).ConfigureAwait(false);
    }

    /// <summary>A short burst at twice normal traffic, not recorded: the site opens the connections such traffic needs.</summary>
    public async Task WarmPoolAsync(SiteProcess site)
    {
        var runner = await RunnerAsync(site).ConfigureAwait(false);
        await runner.RunAsync(null, CancellationToken.None, new LatencyRecorder(), TimeSpan.FromSeconds(2), 2 * options.NormalRate).ConfigureAwait(false);
    }

    public void Dispose()
    {
        lock (_runners)
        {
            foreach (var r in _runners.Values) r.Dispose();
            _runners.Clear();
        }
    }
}
