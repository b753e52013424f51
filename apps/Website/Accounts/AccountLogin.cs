using System.Data.Common;
using Dapper;
using Lifeguard.Kit;
using Microsoft.Extensions.Options;

namespace Website.Accounts;

/// <summary>The site's side of the shared login check: its users carry an id and a workspace; a lockout ends their sessions here and on the node's cache.</summary>
internal sealed class AccountLogin(DbDataSource db, PasswordCheck passwords, TimeProvider time, IOptions<WebsiteOptions> options, SessionStore sessions)
    : PasswordLogin<LoginResult>(db, passwords, time)
{
    /// <inheritdoc />
    protected override LockoutRules Lockout => new(options.Value.LockoutThreshold, options.Value.LockoutDuration);

    /// <inheritdoc />
    protected override string EndSessionsSql => "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = @normalized)";

    /// <inheritdoc />
    protected override async Task<LoginRecord<LoginResult>> FindAsync(DbConnection connection, string normalized, byte[] emailHash, CancellationToken ct)
    {
        var row = await connection.QuerySingleAsync<LoginRow>(new CommandDefinition(
            """
            /* account.login */ SELECT u.id, u.password_hash AS passwordhash, u.workspace_id AS workspaceid, t.lockout_end AS lockoutend,
                   t.email_hash IS NOT NULL AS counted
            FROM (SELECT 1) AS one
            LEFT JOIN users u ON u.email = @normalized
            LEFT JOIN login_throttle t ON t.email_hash = @emailHash
            """,
            new { normalized, emailHash }, cancellationToken: ct));
        var account = row is { Id: { } id, WorkspaceId: { } workspace } ? new LoginResult(true, id, workspace, normalized) : null;
        return new LoginRecord<LoginResult>(account, row.PasswordHash, row.LockoutEnd, row.Counted);
    }

    /// <inheritdoc />
    protected override Task SaveHashAsync(DbConnection connection, LoginResult account, string passwordHash, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "/* account.login.rehash */ UPDATE users SET password_hash = @passwordHash WHERE id = @userId",
            new { passwordHash, userId = account.UserId }, cancellationToken: ct));

    // This node may still remember them: forget, so the lockout holds here from the next request on.
    /// <inheritdoc />
    protected override void OnSessionsEnded() => sessions.ForgetAll();

    private sealed record LoginRow(long? Id, string? PasswordHash, long? WorkspaceId, DateTime? LockoutEnd, bool Counted);
}
