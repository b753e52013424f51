using System.Xml.Linq;
using Website.Dashboards;

namespace Website.Tests.Unit.Dashboards;

public sealed class SvgBarChartTests
{
    private static List<DailyRevenue> Days(params long[] cents) =>
        cents.Select((c, i) => new DailyRevenue(new DateOnly(2026, 3, 1).AddDays(i), c, c == 0 ? 0 : 1)).ToList();

    [Fact]
    public void Render_ThirtyDays_IsWellFormedSvgWithOneBarPerDay()
    {
        var svg = XElement.Parse(SvgBarChart.Render(Days(Enumerable.Range(1, 30).Select(i => (long)i * 100).ToArray()), "t"));
        svg.Name.LocalName.ShouldBe("svg");
        svg.Descendants().Count(e => e.Name.LocalName == "rect").ShouldBe(30);
    }

    [Fact]
    public void Render_LargestDay_FillsThePlotHeightAndSmallerIsProportional()
    {
        var svg = XElement.Parse(SvgBarChart.Render(Days(100, 200), "t"));
        var heights = svg.Descendants().Where(e => e.Name.LocalName == "rect").Select(r => double.Parse(r.Attribute("height")!.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        (heights[0] / heights[1]).ShouldBe(0.5, 0.01);
    }

    [Fact]
    public void Render_HostileTitle_IsEncoded()
    {
        var markup = SvgBarChart.Render(Days(1), "<script>alert(1)</script>");
        markup.ShouldNotContain("<script>");
        Should.NotThrow(() => XElement.Parse(markup));
    }

    [Fact]
    public void Render_AllZero_DrawsNoNegativeOrNaNHeights()
    {
        var markup = SvgBarChart.Render(Days(0, 0, 0), "t");
        markup.ShouldNotContain("NaN");
        markup.ShouldNotContain("height=\"-");
    }
}
