using ScottPlot;

namespace Lifeguard.Cli.Drill;

/// <summary>Draws the drill's timeline as a PNG: latency, errors, and the pool against its maximum, with phase boundaries.</summary>
internal static class DrillPlot
{
    public static void Save(DrillReport report, string path)
    {
        var t = report.Timeline.Select(s => s.T).ToArray();
        var multiplot = new Multiplot();
        multiplot.AddPlots(3);
        var latency = multiplot.GetPlot(0);
        var errors = multiplot.GetPlot(1);
        var pool = multiplot.GetPlot(2);

        Line(latency, t, report.Timeline.Select(s => s.P50Ms / 1000).ToArray(), "request p50 (s)");
        Line(latency, t, report.Timeline.Select(s => s.P99Ms / 1000).ToArray(), "request p99 (s)");
        Line(latency, t, report.Timeline.Select(s => s.WaitP99Ms / 1000).ToArray(), "pool wait p99 (s)");
        var slo = latency.Add.HorizontalLine(report.Settings.SloMs / 1000);
        slo.LinePattern = LinePattern.Dashed;
        slo.LegendText = "SLO";
        latency.Title("Lifeguard drill: the February 10 incident, replayed");
        latency.YLabel("seconds");

        Line(errors, t, report.Timeline.Select(s => (double)s.Requests).ToArray(), "requests/s");
        Line(errors, t, report.Timeline.Select(s => (double)s.Errors).ToArray(), "errors/s");
        errors.YLabel("per second");

        Line(pool, t, report.Timeline.Select(s => s.PoolUsed).ToArray(), "pool in use");
        Line(pool, t, report.Timeline.Select(s => s.PoolMax).ToArray(), "pool max");
        Line(pool, t, report.Timeline.Select(s => (double)s.DbBackends).ToArray(), "db connections open");
        // The queue can be a hundred times the pool: it gets its own axis so in-use against max stays readable.
        var waiting = pool.Add.Scatter(t, report.Timeline.Select(s => s.PoolPending).ToArray());
        waiting.LegendText = "waiting for a connection (right axis)";
        waiting.MarkerSize = 0;
        waiting.LineWidth = 2;
        waiting.LinePattern = LinePattern.Dashed;
        waiting.Axes.YAxis = pool.Axes.Right;
        pool.Axes.Right.Label.Text = "requests waiting";
        pool.YLabel("connections");
        pool.XLabel("seconds since the drill started");

        foreach (var plot in new[] { latency, errors, pool })
        {
            foreach (var phase in report.Phases)
            {
                var line = plot.Add.VerticalLine(phase.StartS);
                line.LinePattern = LinePattern.Dotted;
                line.Color = Colors.Gray;
                line.LabelText = phase.Name;
            }

            if (report.DetectedAfterS is { } d)
            {
                // The second phase is the incident or the fault: detection counts from its start.
                var incident = report.Phases.FirstOrDefault(p => p.Name is "incident" or "fault") ?? report.Phases[^1];
                var mark = plot.Add.VerticalLine(incident.StartS + d);
                mark.Color = Colors.Red;
                mark.LabelText = "detected";
            }

            plot.ShowLegend(Alignment.UpperLeft);
        }

        multiplot.SharedAxes.ShareX([latency, errors, pool]);
        multiplot.SavePng(path, 1400, 1100);
    }

    private static void Line(Plot plot, double[] xs, double[] ys, string label)
    {
        var s = plot.Add.Scatter(xs, ys);
        s.LegendText = label;
        s.MarkerSize = 0;
        s.LineWidth = 2;
    }
}
