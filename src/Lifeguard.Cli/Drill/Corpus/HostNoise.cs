using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>A red herring: <c>threads</c> threads of this process spinning on the host's cores (a noisy neighbour), below
/// normal priority so the site and database still get served. The host is busy; the database is not the cause.</summary>
internal sealed class HostNoise(int threads) : IFaultInjector
{
    private volatile bool _stop;
    private readonly List<Thread> _threads = [];

    public string Description => $"{threads} spinning thread(s) on this host (a noisy neighbour)";

    public Task InjectAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < threads; i++)
        {
            var t = new Thread(Spin) { IsBackground = true, Priority = ThreadPriority.BelowNormal, Name = "corpus-host-noise" };
            _threads.Add(t);
            t.Start();
        }
        return Task.CompletedTask;
    }

    private void Spin()
    {
        var x = 0.0;
        while (!_stop) x += Math.Sqrt(x + 1);
        GC.KeepAlive(x);
    }

    public ValueTask DisposeAsync()
    {
        _stop = true;
        foreach (var t in _threads) t.Join();
        return ValueTask.CompletedTask;
    }
}
