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
    public void Validate_SeveralUrls_EachLoopbackNoDuplicateAUserForEverySite()
    {
        var o = new LoadOptions
        {
            Urls = [new Uri("http://127.0.0.1:5080"), new Uri("http://10.0.0.2:5082"), new Uri("http://127.0.0.1:5080")],
            Users = 2,
        };

        var problems = o.Validate();

        problems.ShouldContain(p => p.Contains("10.0.0.2") && p.Contains("loopback"));
        problems.ShouldContain(p => p.Contains("the same site is given twice"));
        problems.ShouldContain(p => p.Contains("--users must be at least the number of --url sites (3)"));
    }

    [Fact]
    public void ParseUrls_RepeatedAndCommaLists_InOrder()
    {
        var urls = LoadCommand.ParseUrls(["http://127.0.0.1:5080, http://127.0.0.1:5082", "http://127.0.0.1:5084"]);

        urls.Select(u => u.Port).ShouldBe([5080, 5082, 5084]);
        Should.Throw<CliException>(() => LoadCommand.ParseUrls(["127.0.0.1:5080"])).Message.ShouldContain("not an absolute URL");
    }

    [Fact]
    public void LatencyRecorder_Summarize_CountsEverySiteApartAndTheTotal()
    {
        var r = new LatencyRecorder(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 3; i++) r.Record(0, TimeSpan.FromMilliseconds(10), null, target: 0);
        r.Record(0, TimeSpan.FromMilliseconds(30), null, target: 1);
        r.Record(0, TimeSpan.FromMilliseconds(30), "http_503", target: 1);
        var options = new LoadOptions { Urls = [new Uri("http://127.0.0.1:5080"), new Uri("http://127.0.0.1:5082")], Users = 3 };

        var s = r.Summarize(options, TimeSpan.FromSeconds(1), 3);

        s.PerUrl.Select(u => (u.Url, u.Users, u.Requests, u.Ok, u.Errors)).ShouldBe([
            ("http://127.0.0.1:5080/dashboard", 2, 3L, 3L, 0L),
            ("http://127.0.0.1:5082/dashboard", 1, 2L, 1L, 1L),
        ]);
        s.PerUrl[1].ErrorsByKind["http_503"].ShouldBe(1);
        s.Requests.ShouldBe(5);
        s.Url.ShouldBe("http://127.0.0.1:5080/dashboard,http://127.0.0.1:5082/dashboard");
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
