using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Lifeguard.Testing.Network;

namespace Lifeguard.Testing.Tests.Network;

public sealed class DelayRelayTests
{
    [Fact]
    public async Task OneWayDelay_Set_EachRoundTripTakesTwiceIt()
    {
        await using var echo = new EchoServer();
        await using var relay = new DelayRelay("127.0.0.1", echo.Port);
        using var client = await ConnectAsync(relay.Port);

        var fast = await RoundTripAsync(client);
        relay.OneWayDelay = TimeSpan.FromMilliseconds(100);
        var slow = await RoundTripAsync(client);

        // Both directions wait: a round trip takes at least 200 ms more, on the open connection too.
        slow.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190));
        fast.ShouldBeLessThan(slow);
    }

    [Fact]
    public async Task Cut_ThenStart_ConnectionsResetAndTheSamePortServesAgain()
    {
        await using var echo = new EchoServer();
        await using var relay = new DelayRelay("127.0.0.1", echo.Port);
        var port = relay.Port;
        using var before = await ConnectAsync(port);
        await RoundTripAsync(before);

        relay.Cut();

        await Should.ThrowAsync<Exception>(async () =>
        {
            await RoundTripAsync(before);
            await RoundTripAsync(before);
        });
        await Should.ThrowAsync<SocketException>(() => ConnectAsync(port));

        relay.Start();
        relay.Port.ShouldBe(port);
        using var after = await ConnectAsync(port);
        await RoundTripAsync(after);
    }

    [Fact]
    public async Task BlackHole_ConnectionAcceptedButNothingRelayed()
    {
        await using var echo = new EchoServer();
        await using var relay = new DelayRelay("127.0.0.1", echo.Port) { BlackHole = true };
        using var client = await ConnectAsync(relay.Port);

        var stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 1 }, TestContext.Current.CancellationToken);
        var read = stream.ReadAsync(new byte[1], TestContext.Current.CancellationToken).AsTask();

        (await Task.WhenAny(read, Task.Delay(500, TestContext.Current.CancellationToken))).ShouldNotBe(read);
    }

    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task<TimeSpan> RoundTripAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var started = Stopwatch.GetTimestamp();
        await stream.WriteAsync(new byte[] { 42 }, TestContext.Current.CancellationToken);
        var buffer = new byte[1];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var n = await stream.ReadAsync(buffer, timeout.Token);
        if (n == 0) throw new IOException("closed");
        buffer[0].ShouldBe((byte)42);
        return Stopwatch.GetElapsedTime(started);
    }

    // A loopback server that sends back every byte it reads.
    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accept;

        public EchoServer()
        {
            _listener.Start();
            _accept = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = EchoAsync(client);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task EchoAsync(TcpClient client)
        {
            using var _ = client;
            var buffer = new byte[1024];
            try
            {
                var stream = client.GetStream();
                int n;
                while ((n = await stream.ReadAsync(buffer, _stop.Token)) > 0) await stream.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accept;
            _stop.Dispose();
        }
    }
}
