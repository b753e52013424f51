using System.Data.Common;
using Dapper;
using Lifeguard.Kit;
using Microsoft.Extensions.Options;

namespace Incidents.Access;

/// <summary>The service's side of the shared login check: a user signs in with a role; a lockout ends the user's UI sessions.</summary>
internal sealed class UserLogin(DbDataSource db, PasswordCheck passwords, TimeProvider time, IOptions<IncidentsOptions> options)
    : PasswordLogin<UiUser>(db, passwords, time)
{
    /// <inheritdoc />
    protected override LockoutRules Lockout => new(options.Value.Login.LockoutThreshold, options.Value.Login.LockoutDuration);

    /// <inheritdoc />
    protected override string EndSessionsSql => "DELETE FROM ui_sessions WHERE email = @normalized";

    /// <inheritdoc />
    protected override async Task<LoginRecord<UiUser>> FindAsync(DbConnection connection, string normalized, byte[] emailHash, CancellationToken ct)
    {
        var (role, hash, lockoutEnd, counted) = await connection.QuerySingleAsync<(string?, string?, DateTime?, bool)>(new CommandDefinition(
            """
            SELECT u.role, u.password_hash, t.lockout_end, t.email_hash IS NOT NULL FROM (SELECT 1) AS one
            LEFT JOIN users u ON u.email = @normalized
            LEFT JOIN login_throttle t ON t.email_hash = @emailHash
            """, new { normalized, emailHash }, cancellationToken: ct));
        return new LoginRecord<UiUser>(role is null ? null : new UiUser(normalized, role), hash, lockoutEnd, counted);
    }

    /// <inheritdoc />
    protected override Task SaveHashAsync(DbConnection connection, UiUser account, string passwordHash, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET password_hash = @passwordHash WHERE email = @email", new { passwordHash, email = account.Email }, cancellationToken: ct));
}
