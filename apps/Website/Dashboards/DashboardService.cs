using System.Data.Common;
using Dapper;

namespace Website.Dashboards;

/// <summary>
/// Runs the dashboard queries. Authorization lives in the SQL: every statement filters by the workspace id,
/// which callers take from the signed-in user's claims, never from the request.
/// </summary>
public sealed class DashboardService(DbDataSource dataSource, TimeProvider time)
{
    /// <summary>Days in the time-series window, today (UTC) included.</summary>
    public const int WindowDays = 30;

    /// <summary>Rows in the top-products breakdown.</summary>
    public const int TopProductCount = 5;

    /// <summary>Rows in the recent-activity table.</summary>
    public const int RecentCount = 10;

    /// <summary>Loads the dashboard of <paramref name="workspaceId"/>; null when the workspace does not exist.</summary>
    public async Task<DashboardData?> LoadAsync(long workspaceId, CancellationToken ct)
    {
        await using var c = await dataSource.OpenConnectionAsync(ct);
        return await LoadAsync(c, workspaceId, ct);
    }

    /// <summary>The same queries on a connection the caller leased (pool load tests time the lease themselves).</summary>
    public async Task<DashboardData?> LoadAsync(DbConnection c, long workspaceId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(c);
        var now = time.GetUtcNow().UtcDateTime;
        var lastDay = DateOnly.FromDateTime(now);
        var firstDay = lastDay.AddDays(-(WindowDays - 1));
        var from = firstDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var p = new { ws = workspaceId, from, to = now };

        var name = await c.QuerySingleOrDefaultAsync<string>(Cmd("/* dashboard.workspace */ SELECT name FROM workspaces WHERE id = @ws", p, ct));
        if (name is null)
        {
            return null;
        }

        var totals = await c.QuerySingleAsync<DashboardTotals>(Cmd(
            """
            /* dashboard.totals */
            SELECT count(*) AS orders,
                   count(*) FILTER (WHERE status = 'paid') AS paid_orders,
                   coalesce(sum(amount_cents) FILTER (WHERE status = 'paid'), 0)::bigint AS revenue_cents,
                   count(*) FILTER (WHERE status = 'refunded') AS refunds,
                   count(DISTINCT customer_id) AS customers
            FROM orders
            WHERE workspace_id = @ws AND created_at >= @from AND created_at <= @to
            """, p, ct));

        var dailyRows = (await c.QueryAsync<(DateTime Day, long RevenueCents, long Orders)>(Cmd(
            """
            /* dashboard.daily */
            SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
                   coalesce(sum(amount_cents) FILTER (WHERE status = 'paid'), 0)::bigint AS revenue_cents,
                   count(*) AS orders
            FROM orders
            WHERE workspace_id = @ws AND created_at >= @from AND created_at <= @to
            GROUP BY 1
            """, p, ct))).ToDictionary(r => DateOnly.FromDateTime(r.Day));
        var daily = Enumerable.Range(0, WindowDays)
            .Select(i => firstDay.AddDays(i))
            .Select(d => dailyRows.TryGetValue(d, out var r) ? new DailyRevenue(d, r.RevenueCents, r.Orders) : new DailyRevenue(d, 0, 0))
            .ToList();

        var top = (await c.QueryAsync<ProductRevenue>(Cmd(
            """
            /* dashboard.top_products */
            SELECT p.name, p.category, sum(o.amount_cents)::bigint AS revenue_cents, count(*) AS orders
            FROM orders o JOIN products p ON p.id = o.product_id
            WHERE o.workspace_id = @ws AND o.created_at >= @from AND o.created_at <= @to AND o.status = 'paid'
            GROUP BY p.id, p.name, p.category
            ORDER BY revenue_cents DESC, p.name
            LIMIT @limit
            """, new { p.ws, p.from, p.to, limit = TopProductCount }, ct))).AsList();

        var recent = (await c.QueryAsync<RecentOrder>(Cmd(
            """
            /* dashboard.recent */
            SELECT o.id, o.created_at, c.name AS customer, p.name AS product, o.quantity, o.amount_cents, o.status
            FROM orders o
            JOIN products p ON p.id = o.product_id
            JOIN customers c ON c.workspace_id = o.workspace_id AND c.id = o.customer_id
            WHERE o.workspace_id = @ws AND o.created_at <= @to
            ORDER BY o.created_at DESC, o.id DESC
            LIMIT @limit
            """, new { p.ws, p.to, limit = RecentCount }, ct))).AsList();

        return new DashboardData(name, firstDay, lastDay, totals, daily, top, recent);
    }

    // Each statement starts with a comment naming its operation (/* dashboard.totals */): pg_stat_statements keeps it, so
    // `lifeguard review` can say which page a slow statement serves.
    private static CommandDefinition Cmd(string sql, object parameters, CancellationToken ct) =>
        new(sql, parameters, cancellationToken: ct);
}
