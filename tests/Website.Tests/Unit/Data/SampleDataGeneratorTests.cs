using Website.Data;

namespace Website.Tests.Unit.Data;

public sealed class SampleDataGeneratorTests
{
    private static readonly (int, int)[] Products = Enumerable.Range(1, 40).Select(i => (i, 1000 + i)).ToArray();
    private static readonly DateTime Now = new(2026, 3, 15, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Orders_SameSeed_SameData()
    {
        var a = new SampleDataGenerator(Products, 7).Orders(1, 500, Now, 90).ToList();
        var b = new SampleDataGenerator(Products, 7).Orders(1, 500, Now, 90).ToList();
        a.ShouldBe(b);
    }

    [Fact]
    public void Orders_AreInsideTheWindowAndValid()
    {
        var orders = new SampleDataGenerator(Products, 1).Orders(9, 5000, Now, 90).ToList();
        orders.ShouldAllBe(o => o.CreatedAtUtc < Now && o.CreatedAtUtc >= Now.AddDays(-90) && o.CreatedAtUtc.Kind == DateTimeKind.Utc);
        orders.ShouldAllBe(o => o.AmountCents > 0 && o.Quantity >= 1 && o.WorkspaceId == 9);
        orders.Select(o => o.Status).Distinct().Order().ShouldBe(["cancelled", "paid", "pending", "refunded"]);
    }

    [Fact]
    public void Orders_RecentHalfIsBusierThanOlderHalf()
    {
        var orders = new SampleDataGenerator(Products, 3).Orders(1, 10_000, Now, 180).ToList();
        orders.Count(o => o.CreatedAtUtc >= Now.AddDays(-90)).ShouldBeGreaterThan(orders.Count / 2);
    }

    [Fact]
    public void Orders_PopularProductsDominate()
    {
        var orders = new SampleDataGenerator(Products, 3).Orders(1, 10_000, Now, 180).ToList();
        orders.Count(o => o.ProductId <= 10).ShouldBeGreaterThan(orders.Count(o => o.ProductId > 30) * 2);
    }
}
