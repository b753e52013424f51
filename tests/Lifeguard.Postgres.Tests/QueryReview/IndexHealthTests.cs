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

    [Theory]
    [InlineData(null, "since the statistics began (never reset", false)]
    [InlineData(3.0, "since the statistics were reset 2026-11-28 12:00Z (3 days ago)", true)]
    [InlineData(0.25, "(6 hours ago)", true)]
    [InlineData(30.0, "(30 days ago)", false)]
    public void Unused_SaysWhatWindowTheStatisticsCover_AndWarnsWhenItIsShorterThanACycle(double? daysSinceReset, string window, bool warns)
    {
        var now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        DateTimeOffset? reset = daysSinceReset is { } d ? now - TimeSpan.FromDays(d) : null;
        var fix = IndexHealth.Unused([Index("big_unused", ["status"], 40 * Mb, 0)], 10 * Mb, reset, now).ShouldHaveSingleItem().Fix;
        fix.ShouldContain(window);
        fix.ShouldContain("DROP INDEX CONCURRENTLY public.big_unused");
        fix.Contains("wait for a full business cycle (7 days) before dropping it", StringComparison.Ordinal).ShouldBe(warns, fix);
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
