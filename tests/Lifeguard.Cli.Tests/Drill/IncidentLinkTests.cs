using System.Net;
using System.Net.Sockets;
using Lifeguard.Cli.Drill;

namespace Lifeguard.Cli.Tests.Drill;

/// <summary>Without a running incident service (or a token) the drill says so in one line and goes on.</summary>
public sealed class IncidentLinkTests
{
    [Fact]
    public async Task Connect_ServiceNotRunning_OneLineAndNoLink()
    {
        // a port that was free a moment ago: nothing listens there
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var lines = new List<string>();
        var (link, absent) = await IncidentLink.ConnectAsync(new Uri($"http://127.0.0.1:{port}"), "some-token", lines.Add, TestContext.Current.CancellationToken);

        link.ShouldBeNull();
        absent.ShouldNotBeNull();
        absent.Status.ShouldBe("not_running");
        lines.Count.ShouldBe(1);
        lines[0].ShouldStartWith($"incident service: not running at http://127.0.0.1:{port}/");
        lines[0].ShouldEndWith("the drill goes on without an incident");
    }

    [Fact]
    public async Task Connect_ServiceRunningButNoToken_OneLineAndNoLink()
    {
        // a stand-in that answers /health like the service
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        using var health = new HttpListener();
        health.Prefixes.Add($"http://127.0.0.1:{port}/");
        health.Start();
        var answering = Task.Run(async () =>
        {
            var ctx = await health.GetContextAsync();
            ctx.Response.StatusCode = 200;
            ctx.Response.Close();
        }, TestContext.Current.CancellationToken);
        var lines = new List<string>();
        var (link, absent) = await IncidentLink.ConnectAsync(new Uri($"http://127.0.0.1:{port}"), null, lines.Add, TestContext.Current.CancellationToken);
        await answering;

        link.ShouldBeNull();
        absent!.Status.ShouldBe("no_token");
        lines.ShouldHaveSingleItem().ShouldContain(".data/incidents.token");
    }

    [Fact]
    public void ReadToken_FileGiven_TrimmedContent_MissingFileIsNull()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "  abc123\n");
        IncidentLink.ReadToken(path, null).ShouldBe("abc123");
        File.Delete(path);
        IncidentLink.ReadToken(path, null).ShouldBeNull();
    }
}
