namespace Lifeguard.Postgres.QueryReview;

/// <summary>A statement PREPAREd on the review's connection, with the parameter types PostgreSQL inferred for its $n.</summary>
internal sealed record PreparedStatement(string Name, IReadOnlyList<string> ParameterTypes);
