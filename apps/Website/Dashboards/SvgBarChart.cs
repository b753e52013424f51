using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Website.Dashboards;

/// <summary>Renders a daily-revenue bar chart as self-contained inline SVG (no script, no external asset).</summary>
public static class SvgBarChart
{
    private const int Width = 720;
    private const int Height = 220;
    private const int Left = 64;
    private const int Bottom = 24;
    private const int Top = 12;

    /// <summary>Returns the SVG markup; every text it contains is HTML-encoded.</summary>
    public static string Render(IReadOnlyList<DailyRevenue> days, string title)
    {
        ArgumentNullException.ThrowIfNull(days);
        var inv = CultureInfo.InvariantCulture;
        var enc = HtmlEncoder.Default;
        var max = Math.Max(1, days.Count == 0 ? 1 : days.Max(d => d.RevenueCents));
        var plotW = Width - Left - 8;
        var plotH = Height - Top - Bottom;
        var slot = days.Count == 0 ? plotW : (double)plotW / days.Count;

        var sb = new StringBuilder();
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{enc.Encode(title)}\">");
        sb.Append(inv, $"<title>{enc.Encode(title)}</title>");
        sb.Append(inv, $"<line x1=\"{Left}\" y1=\"{Top + plotH}\" x2=\"{Width - 8}\" y2=\"{Top + plotH}\" stroke=\"#888\"/>");
        sb.Append(inv, $"<text x=\"{Left - 6}\" y=\"{Top + 10}\" text-anchor=\"end\" font-size=\"11\">{enc.Encode(Money.Format(max))}</text>");
        sb.Append(inv, $"<text x=\"{Left - 6}\" y=\"{Top + plotH}\" text-anchor=\"end\" font-size=\"11\">$0</text>");
        for (var i = 0; i < days.Count; i++)
        {
            var d = days[i];
            var h = d.RevenueCents <= 0 ? 0 : Math.Max(1, plotH * (double)d.RevenueCents / max);
            var x = Left + (i * slot) + (slot * 0.15);
            var y = Top + plotH - h;
            sb.Append(inv, $"<rect class=\"bar\" x=\"{x:F1}\" y=\"{y:F1}\" width=\"{slot * 0.7:F1}\" height=\"{h:F1}\" fill=\"#2b6cb0\">");
            sb.Append(inv, $"<title>{d.Day:yyyy-MM-dd}: {enc.Encode(Money.Format(d.RevenueCents))} ({d.Orders} orders)</title></rect>");
            if (i % 5 == 0 || i == days.Count - 1)
            {
                sb.Append(inv, $"<text x=\"{x + (slot * 0.35):F1}\" y=\"{Height - 6}\" text-anchor=\"middle\" font-size=\"10\">{d.Day:MM-dd}</text>");
            }
        }

        sb.Append("</svg>");
        return sb.ToString();
    }
}
