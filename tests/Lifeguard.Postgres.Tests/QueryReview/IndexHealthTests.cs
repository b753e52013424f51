using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Postgres.Tests.QueryReview;

public sealed class IndexHealthTests
{
    private const long Mb = 1024 * 1024;

    private static ExistingIndex Index(string name, string[] columns, long size = 50 * Mb, long scans = 5, bool unique = false, bool primary = false) =>
        new("public", "orders", name, columns, "btree", unique, primary, false, false, size, scans, $"CREATE INDEX {name} ...");

    [Fact]
    public void Unused_NoScansAndLarge_ReportedWithSize_ConstraintsAndSmallOnesKept()
    {
        var unused = IndexHealth.Unused(
        [
            Index("big_unused", ["status"], 40 * Mb, 0),
            Index("small_unused", ["quantity"], 1 * Mb, 0),
            Index("orders_pkey", ["id"], 40 * Mb, 0, unique: true, primary: true),
            Index("used", ["workspace_id"], 40 * Mb, 10),
        ], 10 * Mb);
        var u = unused.ShouldHaveSingleItem();
        u.Index.ShouldBe("big_unused");
        u.SizeBytes.ShouldBe(40 * Mb);
        u.Fix.ShouldContain("DROP INDEX CONCURRENTLY public.big_unused");
    }

    [Fact]
    public void Duplicates_PrefixOfAnother_ReportedOnceAndUniqueKept()
    {
        var dup = IndexHealth.Duplicates(
        [
            Index("orders_workspace", ["workspace_id"]),
            Index("orders_workspace_created", ["workspace_id", "created_at"]),
            Index("orders_id_unique", ["id"], unique: true),
            Index("orders_id", ["id", "status"]),
            Index("twin_a", ["product_id"]),
            Index("twin_b", ["product_id"]),
        ]);
        dup.Select(d => (d.Index, d.CoveredBy)).ShouldBe([("orders_workspace", "orders_workspace_created"), ("twin_b", "twin_a")], ignoreOrder: true);
    }
}
