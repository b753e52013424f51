using Microsoft.AspNetCore.Identity;
using Npgsql;
using NpgsqlTypes;
using Website.Accounts;

namespace Website.Tests.Infrastructure;

/// <summary>
/// Two workspaces with hand-made, deterministic orders inserted straight into the database, so the tests can
/// compute the expected dashboard figures themselves. B's names are "secret" markers A must never see.
/// </summary>
internal sealed class KnownDataSet
{
    public static readonly DateTimeOffset Now = new(2026, 3, 15, 12, 0, 0, TimeSpan.Zero);
    public const string Password = "Known-Password-9";

    private KnownDataSet(KnownWorkspace a, KnownWorkspace b, IReadOnlyDictionary<int, string> productNames)
    {
        A = a;
        B = b;
        ProductNames = productNames;
    }

    public KnownWorkspace A { get; }

    public KnownWorkspace B { get; }

    public IReadOnlyDictionary<int, string> ProductNames { get; }

    public static async Task<KnownDataSet> InsertAsync(TestDatabase db)
    {
        var hash = new PasswordHasher<AccountUser>().HashPassword(new AccountUser(), Password);
        await using var c = await db.OpenAsync();
        var names = new Dictionary<int, string>();
        await using (var cmd = new NpgsqlCommand("SELECT id, name FROM products", c))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                names[r.GetInt32(0)] = r.GetString(1);
            }
        }

        var a = await InsertWorkspaceAsync(c, "Alpha Traders", "alice@alpha.test", "Alice Alpha", hash, seed: 42, amountScale: 1);
        var b = await InsertWorkspaceAsync(c, "Bravo Secret Shop", "bob@bravo.test", "Zed Bravosecret", hash, seed: 99, amountScale: 1000);
        return new KnownDataSet(a, b, names);
    }

    private static async Task<KnownWorkspace> InsertWorkspaceAsync(NpgsqlConnection c, string name, string email, string customerPrefix, string hash, int seed, long amountScale)
    {
        long id;
        await using (var cmd = new NpgsqlCommand("INSERT INTO workspaces (name) VALUES ($1) RETURNING id", c) { Parameters = { new() { Value = name } } })
        {
            id = (long)(await cmd.ExecuteScalarAsync())!;
        }

        await using (var cmd = new NpgsqlCommand("INSERT INTO users (email, password_hash, workspace_id) VALUES ($1, $2, $3)", c)
        { Parameters = { new() { Value = email }, new() { Value = hash }, new() { Value = id } } })
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var customers = Enumerable.Range(1, 8).ToDictionary(i => i, i => $"{customerPrefix} {i}");
        await using (var cmd = new NpgsqlCommand("INSERT INTO customers (workspace_id, id, name) SELECT $1, * FROM unnest($2::int[], $3::text[])", c)
        { Parameters = { new() { Value = id }, new() { Value = customers.Keys.ToArray() }, new() { Value = customers.Values.ToArray() } } })
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var random = new Random(seed);
        string[] statuses = ["paid", "paid", "paid", "paid", "refunded", "pending", "cancelled"];
        var orders = new List<KnownOrder>();
        for (var i = 0; i < 300; i++)
        {
            // 45 days back plus a few "future" orders after Now that no figure may include; unique seconds keep the order total.
            var created = Now.UtcDateTime.AddMinutes(-random.Next(0, 45 * 24 * 60)).AddSeconds(-i % 60).AddMilliseconds(-i);
            if (i % 50 == 0)
            {
                created = Now.UtcDateTime.AddHours(1 + i);
            }

            var product = 1 + random.Next(12);
            orders.Add(new KnownOrder(created, 1 + random.Next(8), product, 1 + random.Next(3), (100 + random.Next(20_000)) * amountScale, statuses[random.Next(statuses.Length)]));
        }

        await using (var copy = await c.BeginBinaryImportAsync("COPY orders (workspace_id, created_at, customer_id, product_id, quantity, amount_cents, status) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var o in orders)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(id, NpgsqlDbType.Bigint);
                await copy.WriteAsync(o.CreatedAt, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(o.CustomerId, NpgsqlDbType.Integer);
                await copy.WriteAsync(o.ProductId, NpgsqlDbType.Integer);
                await copy.WriteAsync(o.Quantity, NpgsqlDbType.Integer);
                await copy.WriteAsync(o.AmountCents, NpgsqlDbType.Bigint);
                await copy.WriteAsync(o.Status, NpgsqlDbType.Text);
            }

            await copy.CompleteAsync();
        }

        return new KnownWorkspace(id, name, email, customers, orders);
    }
}

internal sealed record KnownWorkspace(long Id, string Name, string Email, IReadOnlyDictionary<int, string> Customers, IReadOnlyList<KnownOrder> Orders);

internal sealed record KnownOrder(DateTime CreatedAt, int CustomerId, int ProductId, int Quantity, long AmountCents, string Status);
