namespace MinimalApiEfCore;

/// <summary>A row of sample_orders.</summary>
public sealed class Order
{
    /// <summary>Key.</summary>
    public int Id { get; set; }

    /// <summary>Who ordered.</summary>
    public string Customer { get; set; } = "";
}
