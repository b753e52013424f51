namespace Lifeguard.Postgres;

/// <summary>How many connections a PostgreSQL server has room for, as it reports it.</summary>
/// <param name="MaxConnections">max_connections.</param>
/// <param name="ReservedConnections">superuser_reserved_connections plus reserved_connections (PostgreSQL 16+).</param>
/// <param name="OtherClientConnections">Client backends connected now, other than the one asking.</param>
/// <param name="ServerVersion">server_version, for messages.</param>
public sealed record ServerConnectionBudget(int MaxConnections, int ReservedConnections, int OtherClientConnections, string ServerVersion)
{
    /// <summary>Slots applications can use at all: max_connections less the reserved ones.</summary>
    public int UsableConnections => Math.Max(0, MaxConnections - ReservedConnections);

    /// <summary>Connections left for the application's pools.</summary>
    public int Available => Math.Max(0, MaxConnections - ReservedConnections - OtherClientConnections);
}
