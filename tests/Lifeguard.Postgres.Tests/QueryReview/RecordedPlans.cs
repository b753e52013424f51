using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Postgres.Tests.QueryReview;

/// <summary>
/// EXPLAIN (FORMAT JSON) output recorded from the private PostgreSQL 15 cluster on the seeded website database
/// (2,000,000 orders), one file per situation a rule must recognise; see each test for the statement.
/// </summary>
internal static class RecordedPlans
{
    public static ExplainPlan Load(string name) =>
        ExplainPlan.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "QueryReview", "Plans", name + ".json")));

    /// <summary>The website's tables with their seeded sizes, as pg_class.reltuples reports them.</summary>
    public static PlanFacts WebsiteFacts() => new(new Dictionary<string, double>
    {
        ["orders"] = 2_000_000, ["customers"] = 50_050, ["workspaces"] = 1_001, ["products"] = 40, ["products_copy"] = 40, ["users"] = 1_001, ["hf"] = 100_000,
    });

    public static IReadOnlySet<string> Columns(string table) => table switch
    {
        "orders" => new HashSet<string> { "id", "workspace_id", "created_at", "customer_id", "product_id", "quantity", "amount_cents", "status" },
        "customers" => new HashSet<string> { "workspace_id", "id", "name" },
        "products" or "products_copy" => new HashSet<string> { "id", "name", "category", "price_cents" },
        "workspaces" => new HashSet<string> { "id", "name", "created_at" },
        _ => new HashSet<string>(),
    };
}
