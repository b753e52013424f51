using Npgsql;
using Website.Data;

namespace Website.Tests.Infrastructure;

/// <summary>A fresh, migrated database of its own on the test server, dropped on dispose.</summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _server;

    private TestDatabase(string server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var server = TestEnvironment.ServerConnectionString;
        var name = "website_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await cmd.ExecuteNonQueryAsync();
        }

        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        using var log = new StringWriter();
        if (!Migrator.Run(cs, log))
        {
            throw new InvalidOperationException("migration failed: " + log);
        }

        return new TestDatabase(server, name, cs);
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var c = new NpgsqlConnection(ConnectionString);
        await c.OpenAsync();
        return c;
    }

    public async ValueTask DisposeAsync()
    {
        // FORCE ends the site's pooled connections, which may still be open.
        await using var admin = new NpgsqlConnection(_server);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", admin);
        await cmd.ExecuteNonQueryAsync();
    }
}
