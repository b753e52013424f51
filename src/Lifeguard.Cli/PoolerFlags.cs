using System.CommandLine;
using Lifeguard.Configuration;
using Lifeguard.Postgres.Pooler;

namespace Lifeguard.Cli;

/// <summary>
/// The --pooler* flags `check` and `size` share: a pooler (PgBouncer) between the application and the server, read from
/// its pgbouncer.ini (--pooler-config) or its admin console (--pooler-admin), with single settings given or overridden by flags.
/// </summary>
internal sealed class PoolerFlags
{
    private readonly Option<string?> _kind = new("--pooler") { Description = "A pooler sits between the application and the server: pgbouncer (implied by any --pooler-* flag)." };
    private readonly Option<FileInfo?> _config = new("--pooler-config") { Description = "The pooler's pgbouncer.ini: pool_mode, max_client_conn, default_pool_size, reserve_pool_size, max_db_connections, max_prepared_statements, listen_port and each [databases] entry's pool_size." };
    private readonly Option<string?> _admin = new("--pooler-admin") { Description = "Connection string of PgBouncer's admin console (database pgbouncer, an admin_users/stats_users user): the same settings from SHOW CONFIG, SHOW VERSION, SHOW DATABASES (Lifeguard's own console client; no psql needed)." };
    private readonly Option<string?> _mode = new("--pooler-mode") { Description = "pool_mode: transaction, session or statement (PgBouncer's default: session)." };
    private readonly Option<string?> _version = new("--pooler-version") { Description = "PgBouncer's version, e.g. 1.18 (prepared statements need 1.21+)." };
    private readonly Option<int?> _maxClientConn = new("--pooler-max-client-conn") { Description = "max_client_conn (PgBouncer's default: 100)." };
    private readonly Option<int?> _poolSize = new("--pooler-pool-size") { Description = "default_pool_size: server connections per database/user pair (PgBouncer's default: 20)." };
    private readonly Option<int?> _pairs = new("--pooler-pairs") { Description = "Database/user pairs the pooler serves against this server, each with its own pool (default: the [databases] entries, else 1)." };
    private readonly Option<int?> _reserve = new("--pooler-reserve-pool") { Description = "reserve_pool_size: extra server connections per pair (default 0)." };
    private readonly Option<int?> _maxDb = new("--pooler-max-db-connections") { Description = "max_db_connections per database (0 = unlimited)." };
    private readonly Option<int?> _maxPrepared = new("--pooler-max-prepared-statements") { Description = "max_prepared_statements (PgBouncer 1.21+; 0 = prepared statements not tracked)." };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _kind, _config, _admin, _mode, _version, _maxClientConn, _poolSize, _pairs, _reserve, _maxDb, _maxPrepared })
        {
            command.Add(option);
        }
    }

    /// <summary>The pooler the flags describe, or null when none was given.</summary>
    public async Task<PoolerSettings?> ResolveAsync(ParseResult parse, CancellationToken ct)
    {
        var kind = parse.GetValue(_kind);
        var file = parse.GetValue(_config);
        var admin = parse.GetValue(_admin);
        var mode = parse.GetValue(_mode);
        var version = parse.GetValue(_version);
        int? maxClient = parse.GetValue(_maxClientConn), poolSize = parse.GetValue(_poolSize), pairs = parse.GetValue(_pairs),
            reserve = parse.GetValue(_reserve), maxDb = parse.GetValue(_maxDb), maxPrepared = parse.GetValue(_maxPrepared);
        var any = file is not null || admin is not null || mode is not null || version is not null
            || new[] { maxClient, poolSize, pairs, reserve, maxDb, maxPrepared }.Any(v => v is not null);
        if (kind is null && !any) return null;
        if (kind is not null && !string.Equals(kind, "pgbouncer", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException($"--pooler: '{kind}' is not known; the rules and the model know pgbouncer (for another pooler give its settings with --pooler pgbouncer --pooler-mode ... as the closest match).");
        }
        if (file is not null && admin is not null) throw new CliException("use either --pooler-config or --pooler-admin, not both.");
        Positive(maxClient, "--pooler-max-client-conn");
        Positive(poolSize, "--pooler-pool-size");
        Positive(pairs, "--pooler-pairs");
        NotNegative(reserve, "--pooler-reserve-pool");
        NotNegative(maxDb, "--pooler-max-db-connections");
        NotNegative(maxPrepared, "--pooler-max-prepared-statements");

        var settings = new PoolerSettings();
        if (file is not null)
        {
            if (!file.Exists) throw new CliException($"--pooler-config: {file.FullName} does not exist.");
            try
            {
                settings = PgBouncerIni.Parse(await File.ReadAllTextAsync(file.FullName, ct).ConfigureAwait(false), file.FullName);
            }
            catch (FormatException e)
            {
                throw new CliException("--pooler-config: " + e.Message, e);
            }
        }
        else if (admin is not null)
        {
            try
            {
                settings = await PgBouncerSettingsQuery.QueryAsync(admin, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
            {
                throw new CliException("--pooler-admin: cannot read the pooler's settings: " + e.Message, e);
            }
        }

        if (mode is not null)
        {
            try
            {
                settings = settings with { Mode = PgBouncerIni.ParseMode(mode, "--pooler-mode") };
            }
            catch (FormatException e)
            {
                throw new CliException(e.Message, e);
            }
        }
        if (version is not null)
        {
            if (!Version.TryParse(version.Trim().TrimStart('v', 'V'), out var v)) throw new CliException($"--pooler-version: '{version}' is not a version like 1.18 or 1.21.0.");
            settings = settings with { Version = v };
        }
        if (maxClient is { } mc) settings = settings with { MaxClientConnections = mc };
        if (reserve is { } r) settings = settings with { ReservePoolSize = r };
        if (maxDb is { } md) settings = settings with { MaxDbConnections = md == 0 ? null : md };
        if (maxPrepared is { } mp) settings = settings with { MaxPreparedStatements = mp };
        if (poolSize is not null || pairs is not null)
        {
            var size = poolSize ?? settings.DefaultPoolSize;
            var count = pairs ?? Math.Max(1, settings.PairPoolSizes.Count);
            settings = settings with { DefaultPoolSize = size, PairPoolSizes = Enumerable.Repeat(size, count).ToList() };
        }
        if (file is null && admin is null) settings = settings with { Source = "flags" };
        return settings;
    }

    private static void Positive(int? value, string flag)
    {
        if (value is < 1) throw new CliException($"{flag} must be at least 1.");
    }

    private static void NotNegative(int? value, string flag)
    {
        if (value is < 0) throw new CliException($"{flag} cannot be negative.");
    }
}
