using System.Data.Common;
using System.Net.Sockets;
using Microsoft.AspNetCore.Antiforgery;
using Npgsql;

namespace Website.Errors;

/// <summary>Maps an unhandled exception to the HTTP status the visitor gets.</summary>
public static class ErrorClassifier
{
    /// <summary>503 when the database is unreachable, slow or out of connections; 4xx for bad requests; otherwise 500.</summary>
    public static int StatusFor(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Lifeguard.PoolAdmissionRejectedException:
                    // Lifeguard's admission control: the pool is saturated, fail fast instead of queueing.
                    return StatusCodes.Status503ServiceUnavailable;
                case BadHttpRequestException bad:
                    return bad.StatusCode;
                case AntiforgeryValidationException or InvalidDataException:
                    return StatusCodes.Status400BadRequest;
                case PostgresException pg:
                    return IsUnavailable(pg.SqlState) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
                case NpgsqlException or TimeoutException or SocketException:
                    // Not a server-reported error: connect failure, pool exhausted, network or command timeout.
                    return StatusCodes.Status503ServiceUnavailable;
                case DbException db when db.IsTransient:
                    return StatusCodes.Status503ServiceUnavailable;
            }
        }

        return StatusCodes.Status500InternalServerError;
    }

    // SQLSTATE classes that mean "the database cannot serve right now", not "the query is wrong":
    // 08 connection, 53 insufficient resources, 57 operator intervention (statement timeout, shutdown), 40 rollback (deadlock).
    private static bool IsUnavailable(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState.StartsWith("57", StringComparison.Ordinal) || sqlState.StartsWith("40", StringComparison.Ordinal);
}
