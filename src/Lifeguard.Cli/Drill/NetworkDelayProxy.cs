using System.Net;
using System.Net.Sockets;

namespace Lifeguard.Cli.Drill;

/// <summary>
/// A loopback TCP relay that delays every chunk by a fixed one-way latency. The drill puts it between
/// the website and PostgreSQL so that, as in the incident, the database is a network hop away: a
/// connection is then held for round trips, not only for CPU, and pool size decides throughput.
/// </summary>
internal sealed class NetworkDelayProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private TimeSpan _oneWay;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public NetworkDelayProxy(IPEndPoint target, TimeSpan oneWayDelay)
    {
        _target = target;
        _oneWay = oneWayDelay;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The one-way delay; changed while running by the network fault (every relayed chunk after the change waits the new delay).</summary>
    public TimeSpan OneWayDelay
    {
        get => _oneWay;
        set => _oneWay = value;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(_target, _stop.Token).ConfigureAwait(false);
            var a = client.GetStream();
            var b = server.GetStream();
            await Task.WhenAny(PumpAsync(a, b), PumpAsync(b, a)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A closed side ends the relay; the other side sees the close, as on a real network.
        }
    }

    private async Task PumpAsync(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
                if (n == 0) return;
                var delay = _oneWay;
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
