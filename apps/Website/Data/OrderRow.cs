namespace Website.Data;

/// <summary>One generated order, as written to the <c>orders</c> table.</summary>
public readonly record struct OrderRow(
    long WorkspaceId, DateTime CreatedAtUtc, int CustomerId, int ProductId, int Quantity, long AmountCents, string Status);
