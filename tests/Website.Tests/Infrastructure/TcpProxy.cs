using System.Net;
using System.Net.Sockets;

namespace Website.Tests.Infrastructure;

/// <summary>
/// A TCP relay between the site and PostgreSQL that a test can cut (outage), black-hole (server stops
/// answering) and restore, on the same port, to watch the site fail fast and recover by itself.
/// </summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _cts = new();

    public TcpProxy(string host, int port)
    {
        _target = new IPEndPoint(IPAddress.Parse(host), port);
        Start(0);
    }

    public int Port { get; private set; }

    /// <summary>When true, new connections are accepted but nothing is relayed (a hung server).</summary>
    public bool BlackHole { get; set; }

    public void Start() => Start(Port);

    /// <summary>Stops listening and resets every relayed connection.</summary>
    public void Cut()
    {
        _cts.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var c in _open)
            {
                try
                {
                    // RST instead of FIN: the site sees an abrupt failure, like a crashed server.
                    c.Client?.LingerState = new LingerOption(true, 0);
                }
                catch (ObjectDisposedException)
                {
                }

                c.Dispose();
            }

            _open.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        _cts.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Start(int port)
    {
        _cts = new CancellationTokenSource();
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = AcceptLoopAsync(listener, _cts.Token);
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception) when (ct.IsCancellationRequested || !listener.Server.IsBound)
            {
                return;
            }

            Track(client);
            if (BlackHole)
            {
                continue;
            }

            _ = RelayAsync(client, ct);
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken ct)
    {
        var server = new TcpClient();
        Track(server);
        try
        {
            await server.ConnectAsync(_target, ct);
            var a = client.GetStream();
            var b = server.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, ct), b.CopyToAsync(a, ct));
        }
        catch (Exception)
        {
            // A cut or a closed peer ends the relay; either side sees a reset, as in a real outage.
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }

    private void Track(TcpClient c)
    {
        lock (_open)
        {
            _open.Add(c);
        }
    }
}
