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
