namespace Website.Dashboards;

/// <summary>Everything one dashboard page shows, for one workspace over the last 30 days (UTC).</summary>
public sealed record DashboardData(
    string WorkspaceName,
    DateOnly FirstDay,
    DateOnly LastDay,
    DashboardTotals Totals,
    IReadOnlyList<DailyRevenue> Daily,
    IReadOnlyList<ProductRevenue> TopProducts,
    IReadOnlyList<RecentOrder> Recent);

/// <summary>Headline figures; revenue counts paid orders only.</summary>
public sealed record DashboardTotals(long Orders, long PaidOrders, long RevenueCents, long Refunds, long Customers)
{
    /// <summary>Average paid order value in cents (0 without paid orders).</summary>
    public long AverageOrderCents => PaidOrders == 0 ? 0 : RevenueCents / PaidOrders;
}

/// <summary>Paid revenue and order count of one UTC day.</summary>
public sealed record DailyRevenue(DateOnly Day, long RevenueCents, long Orders);

/// <summary>A product's paid revenue in the window.</summary>
public sealed record ProductRevenue(string Name, string Category, long RevenueCents, long Orders);

/// <summary>One row of the recent-activity table.</summary>
public sealed record RecentOrder(long Id, DateTime CreatedAt, string Customer, string Product, int Quantity, long AmountCents, string Status);
