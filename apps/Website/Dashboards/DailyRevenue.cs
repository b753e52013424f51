namespace Website.Dashboards;

/// <summary>Paid revenue and order count of one UTC day.</summary>
public sealed record DailyRevenue(DateOnly Day, long RevenueCents, long Orders);
