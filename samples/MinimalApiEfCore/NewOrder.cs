namespace MinimalApiEfCore;

/// <summary>The body of POST /orders.</summary>
public sealed record NewOrder(string Customer);
