namespace Website.Dashboards;

/// <summary>Headline figures; revenue counts paid orders only.</summary>
public sealed record DashboardTotals(long Orders, long PaidOrders, long RevenueCents, long Refunds, long Customers)
{
    /// <summary>Average paid order value in cents (0 without paid orders).</summary>
    public long AverageOrderCents => PaidOrders == 0 ? 0 : RevenueCents / PaidOrders;
}
