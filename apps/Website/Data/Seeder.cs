using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using NpgsqlTypes;
using Website.Accounts;

namespace Website.Data;

/// <summary>
/// Loads the synthetic data set with binary COPY in one transaction: scale 1.0 = 1,000 users (plus the demo
/// user) and 2,000,000 orders. Idempotent: the <c>seed_runs</c> row written with the data stops a second run.
/// </summary>
public static class Seeder
{
    /// <summary>Password of every seeded user (synthetic data; documented in README).</summary>
    public const string SeedPassword = "Demo-Password-1";

    /// <summary>The demo account printed by run.sh.</summary>
    public const string DemoEmail = "demo@lifeguard.local";

    private const int RandomSeed = 20230210;
    private const int HistoryDays = 180;

    /// <summary>Seeds the database unless it was seeded before; returns true when data was written.</summary>
    public static async Task<bool> RunAsync(NpgsqlDataSource dataSource, double scale, TimeProvider time, TextWriter log, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(log);
        if (!(scale > 0 && scale <= 20))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "--scale must be in (0, 20]");
        }

        var users = Math.Max(1, (int)Math.Round(1000 * scale));
        var orders = Math.Max(users + 1, (long)Math.Round(2_000_000 * scale));
        var clock = Stopwatch.StartNew();

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Two seeders started at once must not both load: the second waits, then sees seed_runs.
        await conn.ExecuteAsync("SELECT pg_advisory_xact_lock(20230210)", transaction: tx);
        var previous = (await conn.QueryAsync<(double Scale, int Users, long Orders)>(
            "SELECT scale, users, orders FROM seed_runs WHERE id = 1", transaction: tx)).AsList();
        if (previous is [var p])
        {
            log.WriteLine($"seed: already seeded ({p.Users:N0} users, {p.Orders:N0} orders at scale {p.Scale.ToString(CultureInfo.InvariantCulture)}); nothing to do");
            return false;
        }

        var products = (await conn.QueryAsync<(int Id, int PriceCents)>(
            "SELECT id, price_cents FROM products ORDER BY id", transaction: tx)).AsList();
        var generator = new SampleDataGenerator(products, RandomSeed);
        var now = time.GetUtcNow().UtcDateTime;

        log.WriteLine($"seed: scale {scale.ToString(CultureInfo.InvariantCulture)} -> {users:N0} users + demo, {orders:N0} orders");
        var workspaceIds = (await conn.QueryAsync<long>(
            """
            INSERT INTO workspaces (name)
            SELECT CASE WHEN g = 0 THEN 'Demo Store' ELSE 'Shop ' || lpad(g::text, 5, '0') END
            FROM generate_series(0, @users) AS g ORDER BY g
            RETURNING id
            """, new { users }, tx)).Order().ToArray();

        // One hash for every seeded user: hashing 1,000 passwords one by one (PBKDF2) would take minutes.
        var hash = new PasswordHasher<AccountUser>().HashPassword(new AccountUser(), SeedPassword);
        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY users (email, password_hash, workspace_id) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < workspaceIds.Length; i++)
            {
                var email = i == 0 ? DemoEmail : $"user{i:D5}@lifeguard.local";
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(email, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(hash, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(workspaceIds[i], NpgsqlDbType.Bigint, ct);
            }

            await copy.CompleteAsync(ct);
        }

        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY customers (workspace_id, id, name) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var ws in workspaceIds)
            {
                foreach (var (id, name) in generator.Customers())
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(ws, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(id, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(name, NpgsqlDbType.Text, ct);
                }
            }

            await copy.CompleteAsync(ct);
        }

        log.WriteLine($"seed: {workspaceIds.Length:N0} workspaces, users and customers in {clock.Elapsed.TotalSeconds:F1} s");
        long written = 0;
        var nextReport = orders / 10;
        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY orders (workspace_id, created_at, customer_id, product_id, quantity, amount_cents, status) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (ws, count) in Distribute(orders, workspaceIds))
            {
                foreach (var o in generator.Orders(ws, count, now, HistoryDays))
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(o.WorkspaceId, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(o.CreatedAtUtc, NpgsqlDbType.TimestampTz, ct);
                    await copy.WriteAsync(o.CustomerId, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(o.ProductId, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(o.Quantity, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(o.AmountCents, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(o.Status, NpgsqlDbType.Text, ct);
                    if (++written >= nextReport)
                    {
                        log.WriteLine($"seed: orders {written:N0}/{orders:N0} ({100 * written / orders}%) {clock.Elapsed.TotalSeconds:F1} s");
                        nextReport += orders / 10;
                    }
                }
            }

            await copy.CompleteAsync(ct);
        }

        await conn.ExecuteAsync(
            "INSERT INTO seed_runs (id, scale, users, orders) VALUES (1, @scale, @users, @orders)",
            new { scale, users, orders }, tx);
        await tx.CommitAsync(ct);
        // Fresh statistics so the first dashboards get the index plans, not guesses.
        await conn.ExecuteAsync("ANALYZE workspaces, users, customers, orders");
        log.WriteLine($"seed: done in {clock.Elapsed.TotalSeconds:F1} s");
        return true;
    }

    /// <summary>Splits the order total over workspaces with some variation (0.5x..1.5x of the mean); sums exactly to total.</summary>
    private static IEnumerable<(long Workspace, int Count)> Distribute(long total, long[] workspaces)
    {
        var random = new Random(RandomSeed + 1);
        var weights = workspaces.Select((_, i) => i == 0 ? 1.0 : 0.5 + random.NextDouble()).ToArray();
        var sum = weights.Sum();
        long assigned = 0;
        for (var i = 0; i < workspaces.Length; i++)
        {
            var count = i == workspaces.Length - 1 ? total - assigned : (long)Math.Round(total * weights[i] / sum);
            assigned += count;
            yield return (workspaces[i], (int)count);
        }
    }
}
