namespace Lifeguard.Postgres.QueryReview;

/// <summary>The review cannot run against this server (extension missing, no permission); the message says what to do.</summary>
public sealed class QueryReviewException(string message, Exception? inner = null) : Exception(message, inner);
