namespace Lifeguard.Postgres.ServerMetrics;

/// <summary>The server side of the connection budget at one instant.</summary>
/// <param name="MaxConnections">max_connections.</param>
/// <param name="ReservedConnections">superuser_reserved_connections (+ reserved_connections on PostgreSQL 16+).</param>
/// <param name="ConnectionsByState">Client backends by pg_stat_activity.state (null state reported as "unknown").</param>
internal sealed record PostgresServerSnapshot(int MaxConnections, int ReservedConnections, IReadOnlyDictionary<string, int> ConnectionsByState);
