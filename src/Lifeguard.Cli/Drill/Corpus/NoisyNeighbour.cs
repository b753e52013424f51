using System.Diagnostics;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>A red herring: <c>processes</c> other processes on this host, each spinning a core at normal priority (the
/// build, the backup, the other service next door). Unlike <see cref="HostNoise"/>'s threads inside the drill, they
/// compete with the site, its database and the relay as separate processes do: every wake-up a round trip needs may
/// queue behind them. The host is starved; the network and the database are not the cause.</summary>
internal sealed class NoisyNeighbour(int processes) : IFaultInjector
{
    private readonly List<Process> _processes = [];

    public string Description => $"{processes} process(es) spinning on this host's cores (a noisy neighbour)";

    public Task InjectAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < processes; i++)
        {
            // A shell loop: CPU only, no I/O, nothing to install.
            var start = new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]) { UseShellExecute = false };
            _processes.Add(Process.Start(start) ?? throw new InvalidOperationException("/bin/sh did not start"));
        }
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
            p.Dispose();
        }
        _processes.Clear();
    }
}
