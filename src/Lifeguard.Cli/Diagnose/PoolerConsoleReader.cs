using System.Globalization;
using Lifeguard.Postgres.Pooler;
using Npgsql;

namespace Lifeguard.Cli.Diagnose;

/// <summary>
/// `diagnose --server CS --pooler ADMIN_CS`: the pooler's admin console read beside the server, as the app's diagnoser
/// reads it with Lifeguard:Diagnosis:Pooler:ConnectionString, so the CLI's own diagnosis can name pooler_saturated.
/// Checked before the first sample: a bad string or a console that does not answer is one line, not five samples of
/// "unreachable".
/// </summary>
internal static class PoolerConsoleReader
{
    /// <summary>Opens the console once, picks the application's database/user pair from SHOW POOLS and returns the
    /// source that samples it (holders' statements read on <paramref name="server"/>).</summary>
    public static async Task<PgBouncerSignalSource> OpenAsync(string adminConnectionString, string server, CancellationToken ct)
    {
        NpgsqlConnectionStringBuilder admin;
        try
        {
            admin = new NpgsqlConnectionStringBuilder(adminConnectionString);
        }
        catch (ArgumentException e)
        {
            throw new CliException("--pooler: not a connection string (e.g. Host=127.0.0.1;Port=6432;Username=admin;Password=...;Database=pgbouncer): " + e.Message, e);
        }

        if (string.IsNullOrEmpty(admin.Database)) admin.Database = PgBouncerConsole.ConsoleDatabase;
        if (admin.Timeout > 5) admin.Timeout = 5;
        List<Dictionary<string, string?>> pools;
        try
        {
            await using var console = await PgBouncerConsole.OpenAsync(admin.ConnectionString, ct).ConfigureAwait(false);
            pools = (await console.QueryAsync("SHOW POOLS", ct).ConfigureAwait(false)).Records().ToList();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or FormatException)
        {
            throw new CliException("--pooler: " + e.Message.ReplaceLineEndings(" "), e);
        }

        var (database, user) = Pair(pools, new NpgsqlConnectionStringBuilder(server));
        return new PgBouncerSignalSource(admin.ConnectionString, database, user, server);
    }

    // The pair the application uses: --server's database and user when the pooler has that pool; else, of its pools
    // for that database (or of all, when the pooler names the database otherwise), the one with the most clients and
    // server connections: --server is often a monitoring role (lifeguard_diagnoser) the application never logs in as.
    internal static (string Database, string User) Pair(IReadOnlyList<Dictionary<string, string?>> pools, NpgsqlConnectionStringBuilder server)
    {
        var database = string.IsNullOrEmpty(server.Database) ? server.Username ?? "postgres" : server.Database;
        var user = string.IsNullOrEmpty(server.Username) ? Environment.UserName : server.Username;
        var real = pools.Where(p => p.GetValueOrDefault("database") is { Length: > 0 } d && d != PgBouncerConsole.ConsoleDatabase).ToList();
        if (real.Any(p => p.GetValueOrDefault("database") == database && p.GetValueOrDefault("user") == user)) return (database, user);
        var candidates = real.Any(p => p.GetValueOrDefault("database") == database) ? real.Where(p => p.GetValueOrDefault("database") == database) : real;
        var busiest = candidates.OrderByDescending(p => Count(p, "cl_active") + Count(p, "cl_waiting") + Count(p, "sv_active") + Count(p, "sv_idle")).FirstOrDefault();
        return busiest is null ? (database, user) : (busiest["database"]!, busiest.GetValueOrDefault("user") ?? user);
    }

    private static int Count(Dictionary<string, string?> row, string column) =>
        int.TryParse(row.GetValueOrDefault(column), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
