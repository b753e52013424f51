using System.Globalization;
using Lifeguard.Postgres.Activity;
using Npgsql;

namespace Lifeguard.Cli.Drill.Engine;

/// <summary>
/// The drill's own session on PostgreSQL (opened before any fault, so it still reads when a fault takes every slot):
/// the server's budget and, each second, its activity. A restarted server is reopened at the next read.
/// </summary>
internal sealed class ServerProbe(string connectionString) : IAsyncDisposable
{
    private const string Application = "lifeguard-drill-probe";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PostgresActivityProbe? _probe;

    /// <summary>Opens the session; the drill calls it before starting any site.</summary>
    public async Task OpenAsync(CancellationToken ct) =>
        _probe = await PostgresActivityProbe.OpenAsync(connectionString, Application, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>The connections the server has for clients like the site.</summary>
    public async Task<int> UsableConnectionsAsync(CancellationToken ct)
    {
        var probe = _probe ?? throw new InvalidOperationException("the server probe is not open");
        return (await probe.ReadBudgetAsync(ct).ConfigureAwait(false)).UsableConnections;
    }

    /// <summary>Active backends, all backends and the CPU cores busy now; zeros (CPU NaN) when the server cannot be read.</summary>
    public async Task<(int Active, int Backends, double CpuCores)> ReadAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _probe ??= await PostgresActivityProbe.OpenAsync(connectionString, Application).ConfigureAwait(false);
            var reading = await _probe.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            return (reading.ActiveBackends, reading.Backends, reading.CpuCores ?? double.NaN);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
        {
            // The server restarted or refuses connections (a fault under test): reopen at the next second.
            if (_probe is not null) await _probe.DisposeAsync().ConfigureAwait(false);
            _probe = null;
            return (0, 0, double.NaN);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How full the server is, in words, for an error message; null when the session is not open.</summary>
    public async Task<string?> DescribeSessionsAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_probe is null) return null;
            var budget = await _probe.ReadBudgetAsync(CancellationToken.None).ConfigureAwait(false);
            return string.Create(CultureInfo.InvariantCulture,
                $"the server then: {budget.OtherClientConnections + 1} client sessions, {budget.UsableConnections} usable slots (max_connections {budget.MaxConnections})");
        }
        catch (Exception read) when (read is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return "the server's sessions unreadable: " + read.Message;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_probe is not null) await _probe.DisposeAsync().ConfigureAwait(false);
        _probe = null;
        _gate.Dispose();
    }
}
