using Lifeguard.Cli.Load;

namespace Lifeguard.Cli.Tests.Load;

public sealed class LoadOptionsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://10.0.0.1:5080", false)]
    [InlineData("http://example.com", false)]
    [InlineData("ftp://127.0.0.1", false)]
    public void IsLoopback_Url_OnlyThisMachine(string url, bool expected) =>
        LoopbackTarget.IsLoopback(new Uri(url)).ShouldBe(expected);

    [Fact]
    public void Validate_RemoteTargetAndBadNumbers_ListsEveryProblem()
    {
        var o = new LoadOptions { BaseUrl = new Uri("http://192.168.1.10"), Users = 0, Rate = -1, Duration = TimeSpan.Zero, Path = "dashboard" };

        var problems = o.Validate();

        problems.Count.ShouldBe(5);
        problems[0].ShouldContain("loopback");
    }

    [Fact]
    public void LatencyRecorder_Summarize_CountsErrorsSlowRequestsAndSeconds()
    {
        var r = new LatencyRecorder(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 8; i++) r.Record(0, TimeSpan.FromMilliseconds(20), null);
        r.Record(1, TimeSpan.FromSeconds(12), null);
        r.Record(1, TimeSpan.FromSeconds(15), "timeout");

        var s = r.Summarize(new LoadOptions(), TimeSpan.FromSeconds(2), 32);

        s.Requests.ShouldBe(10);
        s.Errors.ShouldBe(1);
        s.ErrorsByKind["timeout"].ShouldBe(1);
        s.ShareOver10s.ShouldBe(0.2);
        s.ShareOverSlo.ShouldBe(0.2);
        s.P50Ms.ShouldBe(20, 0.1);
        s.Timeline.Count.ShouldBe(2);
        s.Timeline[1].Requests.ShouldBe(2);
        s.ThroughputRps.ShouldBe(5);
    }
}
