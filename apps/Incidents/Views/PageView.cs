namespace Incidents.Views;

/// <summary>One page of a list: how many there are in all, where this page starts, and its items.</summary>
public sealed record PageView<T>(long Total, int Offset, IReadOnlyList<T> Items);
