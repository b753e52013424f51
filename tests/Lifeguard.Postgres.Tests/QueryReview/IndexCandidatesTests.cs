using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Postgres.Tests.QueryReview;

public sealed class IndexCandidatesTests
{
    private static ExistingIndex Btree(string table, string name, params string[] columns) =>
        new("public", table, name, columns, "btree", false, false, false, false, 8192, 1, $"CREATE INDEX {name} ON public.{table} USING btree ({string.Join(", ", columns)})");

    private static readonly ColumnPredicate[] Dashboard =
    [
        new("orders", "workspace_id", PredicateKind.Equality, "=", 1),
        new("orders", "created_at", PredicateKind.Range, ">=", 2),
        new("orders", "created_at", PredicateKind.Range, "<=", 3),
        new("orders", "status", PredicateKind.Equality, "=", 4),
    ];

    [Fact]
    public void From_EqualityAndRange_SinglesAndPairsWithEqualityFirst()
    {
        var candidates = IndexCandidates.From(Dashboard, [], _ => "public").Select(c => string.Join(",", c.Columns)).ToList();
        candidates.ShouldBe(["workspace_id", "status", "created_at", "workspace_id,status", "workspace_id,created_at", "status,workspace_id", "status,created_at"], ignoreOrder: true);
        candidates.ShouldNotContain("created_at,workspace_id"); // range never before equality
    }

    [Fact]
    public void From_ExistingIndexCoversPrefix_SkipsIt()
    {
        var existing = new[] { Btree("orders", "orders_workspace_created", "workspace_id", "created_at") };
        var candidates = IndexCandidates.From(Dashboard, existing, _ => "public").Select(c => string.Join(",", c.Columns)).ToList();
        candidates.ShouldNotContain("workspace_id");
        candidates.ShouldNotContain("workspace_id,created_at");
        candidates.ShouldContain("workspace_id,status");
    }

    [Fact]
    public void Ddl_IsConcurrentWithPostgresNaming()
    {
        new IndexCandidate("public", "orders", ["workspace_id", "created_at"]).Ddl
            .ShouldBe("CREATE INDEX CONCURRENTLY orders_workspace_id_created_at_idx ON public.orders (workspace_id, created_at);");
        new IndexCandidate("public", "Order Lines", ["Qty"]).Ddl
            .ShouldBe("CREATE INDEX CONCURRENTLY \"Order Lines_Qty_idx\" ON public.\"Order Lines\" (\"Qty\");");
    }
}
