using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Postgres.Tests.QueryReview;

public sealed class StatementSourceTests
{
    [Theory]
    [InlineData("/* dashboard.totals */\nSELECT count(*) FROM orders", "dashboard.totals")]
    [InlineData("  /* account.login */ SELECT 1", "account.login")]
    [InlineData("SELECT 1 /* not leading */", null)]
    public void Tag_LeadingComment_IsTheOperation(string query, string? tag) => StatementSource.Tag(query).ShouldBe(tag);

    [Theory]
    [InlineData("SELECT * FROM orders", true)]
    [InlineData("/* x */ WITH t AS (SELECT 1) SELECT * FROM t", true)]
    [InlineData("WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d", false)]
    [InlineData("SELECT * FROM orders FOR UPDATE", false)]
    [InlineData("SELECT * INTO copy FROM orders", false)]
    [InlineData("SELECT nextval('s')", false)]
    [InlineData("UPDATE orders SET status = $1", false)]
    public void IsReadOnly_OnlyPlainQueries(string query, bool readOnly) => StatementSource.IsReadOnly(query).ShouldBe(readOnly);

    [Theory]
    [InlineData("SELECT 1", true)]
    [InlineData("DELETE FROM orders WHERE id = $1", true)]
    [InlineData("PREPARE x AS SELECT 1", false)]
    [InlineData("EXPLAIN SELECT 1", false)]
    [InlineData("/* lifeguard review */ SELECT 1", false)]
    [InlineData("SELECT * FROM hypopg_create_index($1)", false)]
    [InlineData("BEGIN", false)]
    public void IsReviewable_QueriesAndDmlButNotTheReviewsOwn(string query, bool reviewable) => StatementSource.IsReviewable(query).ShouldBe(reviewable);

    [Theory]
    [InlineData("SELECT 1", true)]
    [InlineData("SELECT 1;  ", true)]
    [InlineData("SELECT 1; DROP TABLE orders", false)]
    public void IsSingleStatement_SecondStatementAfterSemicolon_IsRefused(string query, bool single) => StatementSource.IsSingleStatement(query).ShouldBe(single);

    [Fact]
    public void RepairTypedLiterals_NormalizedTypedConstant_BecomesACast()
    {
        StatementSource.RepairTypedLiterals("SELECT timestamptz $6 + g * interval $7, x::text FROM t WHERE a = $1")
            .ShouldBe("SELECT $6::timestamptz + g * $7::interval, x::text FROM t WHERE a = $1");
    }

    [Fact]
    public void RouteFor_TagPage_MatchesTheGuardsRoute()
    {
        // Busiest first, as the CLI lists them: the login form's GET holds less than the POST that checks the password.
        string[] operations = ["GET /dashboard", "GET /Account/Logout", "POST /Account/Login", "GET /Account/Login", "GET /"];
        StatementSource.RouteFor("dashboard.totals", operations).ShouldBe("GET /dashboard");
        StatementSource.RouteFor("account.login", operations).ShouldBe("POST /Account/Login"); // not Logout, listed earlier
        StatementSource.RouteFor("account.register", operations).ShouldBeNull(); // /Account/Logout is another page
        StatementSource.RouteFor("orders.detail", ["GET /orders/{id}", "GET /orders"]).ShouldBe("GET /orders/{id}");
        StatementSource.RouteFor("reports.monthly", operations).ShouldBeNull();
        StatementSource.RouteFor("GET /", operations).ShouldBe("GET /");
    }
}
