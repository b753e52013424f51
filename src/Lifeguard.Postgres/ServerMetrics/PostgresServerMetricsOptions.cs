using System.ComponentModel.DataAnnotations;

namespace Lifeguard.Postgres.ServerMetrics;

/// <summary>How Lifeguard reads the server side of the connection budget (max_connections, reserved slots, connections by state).</summary>
public sealed class PostgresServerMetricsOptions
{
    /// <summary>How often the server is asked; the gauges report the last answer. Keep it at or below the scrape interval.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>application_name of the one connection the poller keeps open (it shows in pg_stat_activity and counts as idle).</summary>
    [Required]
    public string ApplicationName { get; set; } = "lifeguard-server-metrics";
}
