namespace Lifeguard.Postgres.QueryReview;

/// <summary>A column of <paramref name="Table"/> that a plan filters, joins or sorts on; <paramref name="Parameter"/> is the $n it is compared with, if any.</summary>
internal sealed record ColumnPredicate(string Table, string Column, PredicateKind Kind, string Operator, int? Parameter);
