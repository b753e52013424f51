using System.Net;
using System.Net.Sockets;

namespace Lifeguard.Testing.Network;

/// <summary>
/// A loopback TCP relay between an application and its database that a test (or the drill) steers: it delays every
/// relayed chunk by <see cref="OneWayDelay"/> (a network hop away, or a slower path), can be cut (every connection
/// reset, as a crashed server does), black-holed (connections accepted, nothing relayed: a hung server) and started
/// again on the same port.
/// </summary>
public sealed class DelayRelay : IAsyncDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly TimeProvider _time;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _gate = new();
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();
    private Task _acceptLoop = Task.CompletedTask;
    private long _oneWayTicks;
    private volatile bool _blackHole;
    private bool _disposed;

    /// <summary>Starts relaying from a free loopback port (<see cref="Port"/>) to <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <param name="host">The database's host name or address.</param>
    /// <param name="port">The database's port.</param>
    /// <param name="oneWayDelay">The delay added to every chunk in each direction; zero relays at once.</param>
    /// <param name="timeProvider">The clock the delays wait on; the system clock by default.</param>
    public DelayRelay(string host, int port, TimeSpan oneWayDelay = default, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfNegative(oneWayDelay.Ticks, nameof(oneWayDelay));
        (_targetHost, _targetPort) = (host, port);
        _time = timeProvider ?? TimeProvider.System;
        _oneWayTicks = oneWayDelay.Ticks;
        Listen(0);
    }

    /// <summary>The loopback port the relay listens on; the same after <see cref="Cut"/> and <see cref="Start"/>.</summary>
    public int Port { get; private set; }

    /// <summary>The one-way delay; a change applies to every chunk relayed after it, on open connections too.</summary>
    public TimeSpan OneWayDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _oneWayTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value.Ticks, nameof(value));
            Interlocked.Exchange(ref _oneWayTicks, value.Ticks);
        }
    }

    /// <summary>When true, new connections are accepted but nothing is relayed (a server that stopped answering).</summary>
    public bool BlackHole
    {
        get => _blackHole;
        set => _blackHole = value;
    }

    /// <summary>Stops listening and resets every relayed connection (RST, not FIN: an abrupt failure, like a crash).</summary>
    public void Cut()
    {
        _stop.Cancel();
        TcpClient[] open;
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
            open = [.. _open];
            _open.Clear();
        }

        foreach (var c in open)
        {
            try
            {
                c.Client?.LingerState = new LingerOption(true, 0);
            }
            catch (ObjectDisposedException)
            {
                // Already closed by its relay.
            }

            c.Dispose();
        }
    }

    /// <summary>Listens again on the same <see cref="Port"/> after <see cref="Cut"/> (the server back).</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_listener is not null) return;
        }

        Listen(Port);
    }

    private void Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        // Listening again on the port a cut just closed: its connections may still be in TIME_WAIT.
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        var stop = new CancellationTokenSource();
        lock (_gate)
        {
            _stop.Dispose();
            _stop = stop;
            _listener = listener;
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            _acceptLoop = AcceptLoopAsync(listener, stop.Token);
        }
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                return;
            }

            Track(client);
            if (_blackHole) continue;
            _ = RelayAsync(client, ct);
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken ct)
    {
        var server = new TcpClient { NoDelay = true };
        Track(server);
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, ct).ConfigureAwait(false);
            var a = client.GetStream();
            var b = server.GetStream();
            await Task.WhenAny(PumpAsync(a, b, ct), PumpAsync(b, a, ct)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // A closed side ends the relay; the other side sees the close, as on a real network.
        }
        finally
        {
            Untrack(client);
            Untrack(server);
            client.Dispose();
            server.Dispose();
        }
    }

    private async Task PumpAsync(Stream from, Stream to, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, ct).ConfigureAwait(false);
                if (n == 0) return;
                var delay = OneWayDelay;
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                await to.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Either side closed or the relay was cut.
        }
    }

    private void Track(TcpClient c)
    {
        lock (_gate) _open.Add(c);
    }

    private void Untrack(TcpClient c)
    {
        lock (_gate) _open.Remove(c);
    }

    /// <summary>Cuts every connection and stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        Cut();
        Task accept;
        lock (_gate) accept = _acceptLoop;
        await accept.ConfigureAwait(false);
        _stop.Dispose();
    }
}
