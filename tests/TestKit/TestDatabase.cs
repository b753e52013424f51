using Lifeguard.TestSupport;
using Npgsql;

namespace Lifeguard.TestKit;

/// <summary>
/// A fresh, migrated database of its own on the test server, dropped on dispose (FORCE ends an app's pooled
/// connections that may still be open). Each app's tests name their prefix and migration once, in an extension.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _server;

    private TestDatabase(string server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The database's name (prefix + random suffix).</summary>
    public string Name { get; }

    /// <summary>The connection string to it.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates <paramref name="prefix"/>+random on the test server and applies <paramref name="migrate"/> (an app's Migrator.Run).</summary>
    public static async Task<TestDatabase> CreateAsync(string prefix, Func<string, TextWriter, bool> migrate)
    {
        ArgumentNullException.ThrowIfNull(migrate);
        var server = TestEnvironment.ServerConnectionString;
        var name = prefix + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await cmd.ExecuteNonQueryAsync();
        }

        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        using var log = new StringWriter();
        if (!migrate(cs, log)) throw new InvalidOperationException("migration failed: " + log);
        return new TestDatabase(server, name, cs);
    }

    /// <summary>An open connection to the database (the caller disposes it).</summary>
    public async Task<NpgsqlConnection> OpenAsync()
    {
        var c = new NpgsqlConnection(ConnectionString);
        await c.OpenAsync();
        return c;
    }

    /// <summary>The first column of the first row of <paramref name="sql"/>, converted; default when null.</summary>
    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var c = await OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        var v = await cmd.ExecuteScalarAsync();
        return v is null or DBNull ? default : (T)Convert.ChangeType(v, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Drops the database.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_server);
        await admin.OpenAsync();
        await TestPostgres.DropDatabaseAsync(admin, Name);
    }
}
