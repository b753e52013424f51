using Npgsql;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>A red herring: another application holding <c>count</c> idle connections, far from the server's limit.</summary>
internal sealed class IdleClient(string connectionString, int count) : IFaultInjector
{
    public const string Application = "batch-worker";
    private readonly List<NpgsqlConnection> _held = [];

    public string Description => $"{count} idle connection(s) of '{Application}'";

    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = Application }.ConnectionString;
        for (var i = 0; i < count; i++)
        {
            var c = new NpgsqlConnection(cs);
            _held.Add(c);
            await c.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _held) await c.DisposeAsync().ConfigureAwait(false);
        _held.Clear();
    }
}
