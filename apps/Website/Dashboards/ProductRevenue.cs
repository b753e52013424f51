namespace Website.Dashboards;

/// <summary>A product's paid revenue in the window.</summary>
public sealed record ProductRevenue(string Name, string Category, long RevenueCents, long Orders);
