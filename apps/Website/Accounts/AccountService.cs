using System.Data.Common;
using Dapper;
using Lifeguard.Kit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Website.Data;

namespace Website.Accounts;

/// <summary>Registration and login against the <c>users</c> table, with lockout. Hashing never happens while a pooled connection is held.</summary>
public sealed class AccountService(
    DbDataSource dataSource,
    IPasswordHasher<AccountUser> hasher,
    TimeProvider time,
    IOptions<WebsiteOptions> options,
    SessionStore sessions)
{
    private static readonly AccountUser User = new();
    private readonly AccountLogin _login = new(dataSource, PasswordCheck.For(hasher, User), time, options, sessions);

    /// <summary>
    /// Checks the credentials (the kit's <see cref="PasswordLogin{TAccount}"/>: lockout, the same work for every failure,
    /// no connection held while hashing); <see cref="LoginResult.Failed"/> for input that is no email or password at all.
    /// </summary>
    public async Task<LoginResult> LoginAsync(string? email, string? password, CancellationToken ct)
    {
        var normalized = EmailAddress.Normalize(email);
        if (normalized is null || string.IsNullOrEmpty(password) || password.Length > PasswordRules.MaxLength)
        {
            return LoginResult.Failed;
        }

        return await _login.CheckAsync(normalized, password, ct) ?? LoginResult.Failed;
    }

    /// <summary>
    /// Creates the user with a fresh workspace holding sample data. An email that is already registered gets
    /// the same answer as a new one (no account enumeration); only input problems are reported.
    /// </summary>
    public async Task<IReadOnlyList<string>> RegisterAsync(string? email, string? password, CancellationToken ct)
    {
        var normalized = EmailAddress.Normalize(email);
        var problems = new List<string>();
        if (normalized is null)
        {
            problems.Add("Enter a valid email address.");
        }

        problems.AddRange(PasswordRules.Check(password, normalized));
        if (problems.Count > 0)
        {
            return problems;
        }

        var hash = _login.Passwords.Hash(password!);
        var o = options.Value;
        await using var c = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var exists = await c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "/* account.register.exists */ SELECT EXISTS (SELECT 1 FROM users WHERE email = @normalized)", new { normalized }, tx, cancellationToken: ct));
        if (exists)
        {
            return [];
        }

        var workspaceId = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "/* account.register.workspace */ INSERT INTO workspaces (name) VALUES ('My shop') RETURNING id", transaction: tx, cancellationToken: ct));
        var inserted = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            /* account.register.user */ INSERT INTO users (email, password_hash, workspace_id) VALUES (@normalized, @hash, @workspaceId)
            ON CONFLICT (email) DO NOTHING RETURNING id
            """,
            new { normalized, hash, workspaceId }, tx, cancellationToken: ct));
        if (inserted is null)
        {
            // Registered concurrently by someone else: same silent answer.
            await tx.RollbackAsync(ct);
            return [];
        }

        var products = (await c.QueryAsync<(int Id, int PriceCents)>(new CommandDefinition(
            "/* account.register.products */ SELECT id, price_cents FROM products ORDER BY id", transaction: tx, cancellationToken: ct))).AsList();
        var generator = new SampleDataGenerator(products, unchecked((int)workspaceId));
        await InsertCustomersAsync(c, tx, workspaceId, generator.Customers().ToList(), ct);
        var orders = generator.Orders(workspaceId, o.NewWorkspaceSampleOrders, time.GetUtcNow().UtcDateTime, 60).ToList();
        await InsertOrdersAsync(c, tx, workspaceId, orders, ct);
        await tx.CommitAsync(ct);
        return [];
    }

    // Plain ADO.NET with array parameters (not Dapper, which would expand arrays into lists on a wrapped connection).
    private static async Task InsertCustomersAsync(DbConnection c, DbTransaction tx, long workspaceId, List<(int Id, string Name)> customers, CancellationToken ct)
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "/* account.register.customers */ INSERT INTO customers (workspace_id, id, name) SELECT @ws, * FROM unnest(@ids, @names)";
        Add(cmd, "ws", workspaceId);
        Add(cmd, "ids", customers.Select(x => x.Id).ToArray());
        Add(cmd, "names", customers.Select(x => x.Name).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task InsertOrdersAsync(DbConnection c, DbTransaction tx, long workspaceId, List<OrderRow> orders, CancellationToken ct)
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            /* account.register.orders */ INSERT INTO orders (workspace_id, created_at, customer_id, product_id, quantity, amount_cents, status)
            SELECT @ws, * FROM unnest(@created, @customers, @products, @quantities, @amounts, @statuses)
            """;
        Add(cmd, "ws", workspaceId);
        Add(cmd, "created", orders.Select(x => x.CreatedAtUtc).ToArray());
        Add(cmd, "customers", orders.Select(x => x.CustomerId).ToArray());
        Add(cmd, "products", orders.Select(x => x.ProductId).ToArray());
        Add(cmd, "quantities", orders.Select(x => x.Quantity).ToArray());
        Add(cmd, "amounts", orders.Select(x => x.AmountCents).ToArray());
        Add(cmd, "statuses", orders.Select(x => x.Status).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}
