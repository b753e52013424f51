using Lifeguard.Cli.Drill;
using Npgsql;

namespace Lifeguard.Cli.Tests;

/// <summary>
/// A throwaway database on the test cluster with the website's schema and a small seed, as the verbs that need a real
/// site (size --metrics-url, review) run against; dropped on dispose, whatever the test did.
/// </summary>
internal sealed class SeededSiteDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;

    private SeededSiteDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>The seeded database's connection string (the test cluster's login).</summary>
    public string ConnectionString { get; }

    /// <summary>Creates, migrates and seeds (at <paramref name="scale"/>) a database on <paramref name="server"/> (default: the test cluster).</summary>
    public static async Task<SeededSiteDatabase> CreateAsync(Checkout repo, string prefix, CancellationToken ct, string? server = null, double scale = 0.01)
    {
        server ??= TestPostgres.ConnectionString;
        var db = new SeededSiteDatabase(server, prefix + Guid.NewGuid().ToString("N")[..12]);
        await using (var admin = new NpgsqlConnection(Unpooled(server)))
        {
            await admin.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {db._name}", admin);
            await create.ExecuteNonQueryAsync(ct);
        }

        try
        {
            var env = new Dictionary<string, string> { ["ConnectionStrings__Main"] = db.ConnectionString };
            await repo.RunAsync("dotnet", [repo.WebsiteDll, "migrate"], env, ct);
            await repo.RunAsync("dotnet", [repo.WebsiteDll, "seed", "--scale", scale.ToString(System.Globalization.CultureInfo.InvariantCulture)], env, ct);
            return db;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    // the admin connection is not kept in a pool: on a small cluster (the governor's 20 slots) it would hold a slot
    private static string Unpooled(string server) => new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Unpooled(_server));
        await admin.OpenAsync(CancellationToken.None);
        await TestPostgres.DropDatabaseAsync(admin, _name);
    }
}
