namespace Website.Dashboards;

/// <summary>One row of the recent-activity table.</summary>
public sealed record RecentOrder(long Id, DateTime CreatedAt, string Customer, string Product, int Quantity, long AmountCents, string Status);
