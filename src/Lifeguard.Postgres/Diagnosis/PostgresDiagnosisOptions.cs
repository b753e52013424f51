using System.ComponentModel.DataAnnotations;

namespace Lifeguard.Postgres.Diagnosis;

/// <summary>How the diagnoser reads PostgreSQL: its own connection, its timeouts, and what it needs to know about the host.</summary>
public sealed class PostgresDiagnosisOptions
{
    /// <summary>application_name of the diagnoser's one connection (it shows in pg_stat_activity and is left out of the counts it judges).</summary>
    [Required, MaxLength(63)]
    public string ApplicationName { get; set; } = "lifeguard-diagnoser";

    /// <summary>application_name of the guarded application's sessions, to tell them from other clients'; null reads it from
    /// the application's connection string.</summary>
    [MaxLength(63)]
    public string? ApplicationNameOfApp { get; set; }

    /// <summary>statement_timeout of the diagnoser's session: a sample never hangs on a sick server.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:30")]
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Connect timeout (whole seconds, at least 1).</summary>
    [Range(1, 60)]
    public int ConnectTimeoutSeconds { get; set; } = 2;

    /// <summary>Longest pause between reconnect attempts while the server is down (the pause doubles from 0.5 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan MaxReconnectBackoff { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>The database server's cores; null counts /proc/cpuinfo when the server is on this host, and otherwise
    /// leaves the CPU rule out (0).</summary>
    [Range(0.1, 10_000)]
    public double? DatabaseCores { get; set; }

    /// <summary>Recent window (s) statement means are taken over.</summary>
    [Range(1, 600)]
    public int StatementWindowSeconds { get; set; } = 5;

    /// <summary>Statements whose recent mean is at least this many times their baseline are reported (the rule then applies
    /// its own threshold); their baseline is not updated while they are.</summary>
    [Range(1.1, 1000)]
    public double StatementReportFactor { get; set; } = 2;

    /// <summary>Calls within the window a statement needs before its slowdown is reported: a report or a migration run
    /// once is not "the queries got slower".</summary>
    [Range(1, 1_000_000)]
    public int StatementMinCalls { get; set; } = 3;

    /// <summary>Most statements read from pg_stat_statements per sample (those with most calls).</summary>
    [Range(1, 100_000)]
    public int MaxStatements { get; set; } = 500;
}
