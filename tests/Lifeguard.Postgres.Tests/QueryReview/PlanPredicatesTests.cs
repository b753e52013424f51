using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Postgres.Tests.QueryReview;

public sealed class PlanPredicatesTests
{
    [Fact]
    public void Extract_GenericFilter_ReadsEqualityAndRangeWithTheirParameters()
    {
        var predicates = PlanPredicates.Extract(RecordedPlans.Load("seq_scan_generic"), RecordedPlans.Columns);
        predicates.ShouldContain(new ColumnPredicate("orders", "customer_id", PredicateKind.Equality, "=", 1));
        predicates.ShouldContain(new ColumnPredicate("orders", "product_id", PredicateKind.Equality, "=", 2));
        predicates.ShouldContain(new ColumnPredicate("orders", "created_at", PredicateKind.Range, ">=", 3));
    }

    [Fact]
    public void Extract_JoinsAndSortKeys_ResolveAliasesToTables()
    {
        var predicates = PlanPredicates.Extract(RecordedPlans.Load("dashboard_recent_generic"), RecordedPlans.Columns);
        predicates.ShouldContain(p => p.Table == "orders" && p.Column == "workspace_id" && p.Kind == PredicateKind.Equality && p.Parameter == 1);
        predicates.ShouldContain(p => p.Table == "orders" && p.Column == "created_at" && p.Kind == PredicateKind.Range && p.Parameter == 2);
        predicates.ShouldContain(p => p.Table == "orders" && p.Column == "created_at" && p.Kind == PredicateKind.Sort);
        predicates.ShouldContain(p => p.Table == "customers" && p.Column == "id" && p.Kind == PredicateKind.Equality);
        predicates.ShouldContain(p => p.Table == "products" && p.Column == "id" && p.Kind == PredicateKind.Equality);
    }

    [Fact]
    public void Extract_LiteralsAndTypes_AreNotMistakenForColumns()
    {
        // (status = 'paid'::text) and '...'::timestamp with time zone: only real columns of the table count
        var predicates = PlanPredicates.Extract(RecordedPlans.Load("seq_scan_analyzed"), RecordedPlans.Columns);
        predicates.Select(p => p.Column).Distinct().Order().ShouldBe(["customer_id", "product_id"]);
        predicates.ShouldAllBe(p => p.Parameter == null);
    }
}
