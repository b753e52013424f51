using Lifeguard.Diagnosis;

namespace Lifeguard.Leases;

/// <summary>Classifies a failed open or query: the provider's classifier first (typed errors, e.g. SQLSTATE), then what
/// the exception types alone tell. Message text is never read.</summary>
internal static class OpenFailureClassifier
{
    public static ConnectionErrorKind Classify(Exception exception, CancellationToken callerToken, IConnectionErrorClassifier? provider = null)
    {
        if (provider?.Classify(exception) is { } kind) return kind;
        if (exception is OperationCanceledException && callerToken.IsCancellationRequested) return ConnectionErrorKind.Cancelled;
        // Npgsql reports an exhausted pool as an NpgsqlException around a TimeoutException; a provider without a
        // classifier is judged the same way (LeaseTracker.OpenFailed tells a connect timeout apart: the pool had free slots).
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException) return ConnectionErrorKind.PoolTimeout;
        }
        return ConnectionErrorKind.Other;
    }
}
