using Lifeguard.Diagnosis;
using Npgsql;

namespace Lifeguard.Postgres.Diagnosis;

/// <summary>Classifies Npgsql's errors from their types and PostgreSQL's SQLSTATE, never from message text.</summary>
public sealed class NpgsqlErrorClassifier : IConnectionErrorClassifier
{
    /// <summary>The shared instance (stateless).</summary>
    public static NpgsqlErrorClassifier Instance { get; } = new();

    /// <inheritdoc />
    public ConnectionErrorKind? Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return FromSqlState(pg.SqlState);
                // Npgsql reports an exhausted pool as an NpgsqlException whose inner exception is a TimeoutException.
                case NpgsqlException { InnerException: TimeoutException }:
                    return ConnectionErrorKind.PoolTimeout;
                // Connection refused, reset or closed by the server: Npgsql marks these transient.
                case NpgsqlException { IsTransient: true }:
                    return ConnectionErrorKind.ServerUnavailable;
            }
        }
        return null;
    }

    /// <summary>The kind of a PostgreSQL SQLSTATE.</summary>
    public static ConnectionErrorKind FromSqlState(string sqlState)
    {
        ArgumentNullException.ThrowIfNull(sqlState);
        return sqlState switch
        {
            PostgresErrorCodes.TooManyConnections => ConnectionErrorKind.TooManyConnections,
            PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                => ConnectionErrorKind.ServerUnavailable,
            PostgresErrorCodes.DeadlockDetected => ConnectionErrorKind.Deadlock,
            PostgresErrorCodes.LockNotAvailable => ConnectionErrorKind.LockTimeout,
            PostgresErrorCodes.QueryCanceled => ConnectionErrorKind.StatementTimeout,
            _ when sqlState.StartsWith("08", StringComparison.Ordinal) => ConnectionErrorKind.ServerUnavailable,
            _ => ConnectionErrorKind.Other,
        };
    }
}
