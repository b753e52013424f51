using System.ComponentModel.DataAnnotations;

namespace Lifeguard.Postgres.ServerMetrics;

/// <summary>How Lifeguard exports the server side of the connection budget (max_connections, reserved slots, connections by state).</summary>
public sealed class PostgresServerMetricsOptions
{
    /// <summary>The oldest sample the gauges report before the exporter samples the server itself (the diagnoser samples
    /// every second, so with it running this never happens). Keep it at or below the scrape interval.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
