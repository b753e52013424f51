using Lifeguard.Diagnosis;

namespace Lifeguard.Postgres.Diagnosis;

/// <summary>The server reader's latest sample, which the diagnoser and the server metrics share.</summary>
/// <param name="Timestamp">When it was taken (TimeProvider timestamp).</param>
/// <param name="Signals">What the diagnoser judged.</param>
/// <param name="ConnectionsByState">Client backends by pg_stat_activity.state, the reader's own included; null when the
/// server was not read (down, or the sample hit the reader's statement_timeout).</param>
internal sealed record PostgresServerReading(long Timestamp, ServerSignals Signals, IReadOnlyDictionary<string, int>? ConnectionsByState);
