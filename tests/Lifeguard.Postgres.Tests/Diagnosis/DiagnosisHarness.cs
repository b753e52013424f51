using Lifeguard.Diagnosis;
using Lifeguard.Postgres.Diagnosis;

namespace Lifeguard.Postgres.Tests.Diagnosis;

/// <summary>The server source and the one diagnoser, sampled every quarter second (the diagnoser counts samples, not
/// seconds, so the window passes faster), until a diagnosis satisfies a condition or a bounded time passes.</summary>
internal sealed class DiagnosisHarness : IAsyncDisposable
{
    private readonly List<string> _log = [];

    public DiagnosisHarness(string connectionString, PostgresDiagnosisOptions? options = null, DiagnosisOptions? diagnosis = null)
    {
        Source = new PostgresServerSignalSource(connectionString, options);
        Diagnoser = new Diagnoser(diagnosis);
    }

    public PostgresServerSignalSource Source { get; }

    public Diagnoser Diagnoser { get; }

    public string Log
    {
        get { lock (_log) return string.Join(Environment.NewLine, _log); }
    }

    public async Task<Lifeguard.Diagnosis.DiagnosisReport> SampleAsync(PoolSecond? pool = null)
    {
        var server = await Source.SampleAsync(TestContext.Current.CancellationToken);
        var d = Diagnoser.Observe(new DiagnosisSample(DateTimeOffset.UtcNow, pool, server));
        lock (_log) _log.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {d.Cause} reachable={server.Reachable} onCpu={server.ActiveOnCpu} cpu={server.CpuCoresUsed} locks={server.LockWaiters} backends={server.Backends}/{server.UsableConnections} rtt={server.RoundTripMs} lag={server.HostLagMs} slowed={server.SlowedStatements.Count} err={server.Error} | {string.Join(" | ", d.Evidence)}");
        return d;
    }

    /// <summary>Samples until <paramref name="done"/> holds; fails with the sampling log after <paramref name="seconds"/>.</summary>
    public async Task<Lifeguard.Diagnosis.DiagnosisReport> UntilAsync(Func<Lifeguard.Diagnosis.DiagnosisReport, bool> done, string what, double seconds = 30,
        Func<PoolSecond?>? pool = null, int intervalMs = 250)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var d = await SampleAsync(pool?.Invoke());
            if (done(d)) return d;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"never diagnosed {what}; log:{Environment.NewLine}{Log}");
            await Task.Delay(intervalMs, TestContext.Current.CancellationToken);
        }
    }

    public ValueTask DisposeAsync() => Source.DisposeAsync();
}
