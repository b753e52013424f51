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

    // Verified against for unknown emails so that "no such user" costs the same time as "wrong password": made by the
    // same hasher, so it carries the same PBKDF2 parameters as every password stored since. Made up front, so not
    // even the first unknown email after a start takes longer.
    private readonly string _dummyHash = hasher.HashPassword(User, Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Checks the credentials; counts failures, locks the email at the threshold (ending its open sessions), resets on
    /// success. Every failure — unknown email, wrong password, locked account — does the same work: one look-up, one
    /// PBKDF2 verification with the same parameters, one counter write; so its duration says nothing about the email.
    /// </summary>
    public async Task<LoginResult> LoginAsync(string? email, string? password, CancellationToken ct)
    {
        var normalized = EmailAddress.Normalize(email);
        if (normalized is null || string.IsNullOrEmpty(password) || password.Length > PasswordRules.MaxLength)
        {
            return LoginResult.Failed;
        }

        var emailHash = EmailAddress.Hash(normalized);
        LoginRow row;
        await using (var c = await dataSource.OpenConnectionAsync(ct))
        {
            // Always exactly one row, with NULLs for an unknown email: the same statement either way.
            row = await c.QuerySingleAsync<LoginRow>(new CommandDefinition(
                """
                /* account.login */ SELECT u.id, u.password_hash AS passwordhash, u.workspace_id AS workspaceid, t.lockout_end AS lockoutend,
                       t.email_hash IS NOT NULL AS counted
                FROM (SELECT 1) AS one
                LEFT JOIN users u ON u.email = @normalized
                LEFT JOIN login_throttle t ON t.email_hash = @emailHash
                """,
                new { normalized, emailHash }, cancellationToken: ct));
        }

        var verdict = hasher.VerifyHashedPassword(User, row.PasswordHash ?? _dummyHash, password);
        var now = time.GetUtcNow().UtcDateTime;
        var locked = row.LockoutEnd is { } end && end > now;
        if (row.Id is not { } userId || row.WorkspaceId is not { } workspaceId || locked || verdict == PasswordVerificationResult.Failed)
        {
            await RecordFailureAsync(normalized, now, ct);
            return LoginResult.Failed;
        }

        var newHash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? hasher.HashPassword(User, password) : null;
        if (row.Counted || newHash is not null)
        {
            await using var c = await dataSource.OpenConnectionAsync(ct);
            await c.ExecuteAsync(new CommandDefinition(
                """
                /* account.login.reset */ DELETE FROM login_throttle WHERE email_hash = @emailHash AND @counted;
                /* account.login.rehash */ UPDATE users SET password_hash = @newHash WHERE id = @userId AND @newHash IS NOT NULL;
                """,
                new { emailHash, counted = row.Counted, userId, newHash }, cancellationToken: ct));
        }

        return new LoginResult(true, userId, workspaceId, normalized);
    }

    // One atomic statement, so concurrent failures cannot under-count. The counter row is keyed by the email's hash
    // whether or not it is registered, so both cases write the same row shape and wait for the same commit. While
    // locked, failures neither count nor extend the lockout. Reaching the threshold (or failing while locked) deletes
    // the account's sessions in the same transaction.
    private async Task RecordFailureAsync(string normalized, DateTime now, CancellationToken ct)
    {
        var o = options.Value;
        await using var c = await dataSource.OpenConnectionAsync(ct);
        if (await LoginThrottle.RecordFailureAsync(c, normalized, now, new LockoutRules(o.LockoutThreshold, o.LockoutDuration),
                "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = @normalized)", ct))
        {
            // This node may still remember them: forget, so the lockout holds here from the next request on.
            sessions.ForgetAll();
        }
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

    private sealed record LoginRow(long? Id, string? PasswordHash, long? WorkspaceId, DateTime? LockoutEnd, bool Counted);
}
