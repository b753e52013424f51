namespace Lifeguard.Leases;

/// <summary>Recognises pool exhaustion from providers' messages, which are the only provider-neutral signal.</summary>
internal static class OpenFailureClassifier
{
    public static OpenFailureKind Classify(Exception exception, CancellationToken callerToken)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var m = e.Message;
            // Npgsql: "The connection pool has been exhausted, either raise 'Max Pool Size' ... or 'Timeout' ..."
            if (m.Contains("connection pool has been exhausted", StringComparison.OrdinalIgnoreCase)) return OpenFailureKind.PoolTimeout;
            // SqlClient: "Timeout expired. The timeout period elapsed prior to obtaining a connection from the pool. ..."
            if (m.Contains("Timeout expired", StringComparison.OrdinalIgnoreCase)
                && m.Contains("obtaining a connection from the pool", StringComparison.OrdinalIgnoreCase)) return OpenFailureKind.PoolTimeout;
        }
        if (exception is OperationCanceledException && callerToken.IsCancellationRequested) return OpenFailureKind.Cancelled;
        return OpenFailureKind.ConnectionError;
    }
}
