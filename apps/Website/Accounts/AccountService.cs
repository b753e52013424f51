using System.Data.Common;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Website.Data;

namespace Website.Accounts;

/// <summary>Registration and login against the <c>users</c> table, with lockout. Hashing never happens while a pooled connection is held.</summary>
public sealed class AccountService(
    DbDataSource dataSource,
    IPasswordHasher<AccountUser> hasher,
    TimeProvider time,
    IOptions<WebsiteOptions> options)
{
    private static readonly AccountUser User = new();

    // Verified against for unknown emails so that "no such user" costs the same time as "wrong password".
    private readonly Lazy<string> _dummyHash = new(() => hasher.HashPassword(User, Guid.NewGuid().ToString("N")));

    /// <summary>Checks the credentials; counts failures, locks the account at the threshold, resets on success.</summary>
    public async Task<LoginResult> LoginAsync(string? email, string? password, CancellationToken ct)
    {
        var normalized = EmailAddress.Normalize(email);
        if (normalized is null || string.IsNullOrEmpty(password) || password.Length > PasswordRules.MaxLength)
        {
            return LoginResult.Failed;
        }

        UserRow? row;
        await using (var c = await dataSource.OpenConnectionAsync(ct))
        {
            row = await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
                "/* account.login */ SELECT id, password_hash AS passwordhash, workspace_id AS workspaceid, lockout_end AS lockoutend FROM users WHERE email = @normalized",
                new { normalized }, cancellationToken: ct));
        }

        if (row is not { } user)
        {
            hasher.VerifyHashedPassword(User, _dummyHash.Value, password);
            return LoginResult.Failed;
        }

        var verdict = hasher.VerifyHashedPassword(User, user.PasswordHash, password);
        var now = time.GetUtcNow().UtcDateTime;
        if (user.LockoutEnd is { } end && end > now)
        {
            return LoginResult.Failed;
        }

        await using (var c = await dataSource.OpenConnectionAsync(ct))
        {
            if (verdict == PasswordVerificationResult.Failed)
            {
                var o = options.Value;
                // One atomic statement, so concurrent failures cannot under-count.
                await c.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE users SET
                        lockout_end = CASE WHEN failed_login_count + 1 >= @threshold THEN @lockUntil ELSE lockout_end END,
                        failed_login_count = CASE WHEN failed_login_count + 1 >= @threshold THEN 0 ELSE failed_login_count + 1 END
                    WHERE id = @id
                    """,
                    new { id = user.Id, threshold = o.LockoutThreshold, lockUntil = now + o.LockoutDuration }, cancellationToken: ct));
                return LoginResult.Failed;
            }

            var newHash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? hasher.HashPassword(User, password) : null;
            await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE users SET failed_login_count = 0, lockout_end = NULL, password_hash = coalesce(@newHash, password_hash)
                WHERE id = @id AND (failed_login_count <> 0 OR lockout_end IS NOT NULL OR @newHash IS NOT NULL)
                """,
                new { id = user.Id, newHash }, cancellationToken: ct));
        }

        return new LoginResult(true, user.Id, user.WorkspaceId, normalized);
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

        var hash = hasher.HashPassword(User, password!);
        var o = options.Value;
        await using var c = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var exists = await c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM users WHERE email = @normalized)", new { normalized }, tx, cancellationToken: ct));
        if (exists)
        {
            return [];
        }

        var workspaceId = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO workspaces (name) VALUES ('My shop') RETURNING id", transaction: tx, cancellationToken: ct));
        var inserted = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            INSERT INTO users (email, password_hash, workspace_id) VALUES (@normalized, @hash, @workspaceId)
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
            "SELECT id, price_cents FROM products ORDER BY id", transaction: tx, cancellationToken: ct))).AsList();
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
        cmd.CommandText = "INSERT INTO customers (workspace_id, id, name) SELECT @ws, * FROM unnest(@ids, @names)";
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
            INSERT INTO orders (workspace_id, created_at, customer_id, product_id, quantity, amount_cents, status)
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

    private sealed record UserRow(long Id, string PasswordHash, long WorkspaceId, DateTime? LockoutEnd);
}
