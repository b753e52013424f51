using Lifeguard.Hosting;
using Npgsql;

namespace Lifeguard.Postgres.Registration;

/// <summary>
/// The connection strings Lifeguard.Postgres reads with, derived once from <see cref="LifeguardPostgresOptions"/> (a DI
/// singleton): the application's (query review, and the application_name the diagnoser tells its sessions by) and the
/// server reader's login.
/// </summary>
/// <param name="Application">The application's connection string.</param>
/// <param name="Reader">The login the server reader connects with (its own settings are applied by the reader).</param>
internal sealed record PostgresConnectionStrings(string Application, string Reader)
{
    /// <summary>The application's Application Name; null when its connection string sets none.</summary>
    public string? ApplicationName => new NpgsqlConnectionStringBuilder(Application).ApplicationName;

    /// <summary>Whether the server reader's string reaches the same host and port as the pooler's admin console: it then
    /// reads the server through the pooler.</summary>
    public bool ReaderThroughPooler(string? poolerConnectionString)
    {
        if (string.IsNullOrWhiteSpace(poolerConnectionString)) return false;
        var pooler = new NpgsqlConnectionStringBuilder(poolerConnectionString);
        var reader = new NpgsqlConnectionStringBuilder(Reader);
        return reader.Port == pooler.Port && string.Equals(reader.Host, pooler.Host, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Derives the strings from the options, taking the application's from <paramref name="pools"/>' primary
    /// pool when the options give none.</summary>
    public static PostgresConnectionStrings Resolve(LifeguardPostgresOptions options, LifeguardPools? pools)
    {
        ArgumentNullException.ThrowIfNull(options);
        var application = options.ConnectionString ?? FromGuard(pools);
        var reader = options.ReaderConnectionString ?? application;
        var appDatabase = new NpgsqlConnectionStringBuilder(application).Database;
        var readerDatabase = new NpgsqlConnectionStringBuilder(reader).Database;
        if (!string.Equals(appDatabase, readerDatabase, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Lifeguard's server reader connects to database '{readerDatabase}', the application to '{appDatabase}': " +
                "the diagnosis judges the application's database, so ReaderConnectionString must name it.");
        }
        return new PostgresConnectionStrings(application, reader);
    }

    private static string FromGuard(LifeguardPools? pools)
    {
        if (pools is null || pools.All.Count == 0)
            throw new InvalidOperationException("AddLifeguardPostgres() reads the server behind the guarded pool, but no pool is guarded: call " +
                "AddGuardedDataSource() (or AddLifeguard()) first, or set LifeguardPostgresOptions.ConnectionString.");
        if (pools.Primary.Guard.Inner is not NpgsqlDataSource npgsql)
            throw new InvalidOperationException($"AddLifeguardPostgres() reads the server behind the guarded pool, but its data source is a " +
                $"{pools.Primary.Guard.Inner.GetType().Name}, not an NpgsqlDataSource: set LifeguardPostgresOptions.ConnectionString.");
        // The data source's ConnectionString leaves the password out; a connection cloned from it keeps it.
        using var connection = npgsql.CreateConnection();
        using var clone = connection.CloneWith(npgsql.ConnectionString);
        return clone.ConnectionString;
    }
}
