using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Website.Dashboards;
using Website.Data;

namespace Lifeguard.Postgres.Tests.QueryReview;

/// <summary>
/// A database of its own with the website's real schema and seeder at scale 1.0 (1,001 workspaces, 2,000,000 orders),
/// shared by the review tests on real data and dropped at the end. Seeding takes 10-25 s on this machine.
/// </summary>
public sealed class SeededWebsiteDatabase : IAsyncLifetime
{
    private string _server = "";

    public string ConnectionString { get; private set; } = "";

    public string Name { get; } = "review_test_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The seeder's moment: data is dated relative to it, and dashboards are loaded "now" at it.</summary>
    public static readonly DateTimeOffset SeededAt = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Skips the test (fails it under CI) when there is no test cluster; a fixture that threw would fail it instead.</summary>
    public void RequireServer() => _ = TestPostgres.ConnectionString;

    public async ValueTask InitializeAsync()
    {
        if (!TestPostgres.IsSet) return;
        _server = TestPostgres.ConnectionString;
        await using (var admin = new NpgsqlConnection(_server))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {Name}", admin);
            await cmd.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(_server) { Database = Name, Pooling = false }.ConnectionString;
        using var log = new StringWriter();
        if (!Migrator.Run(ConnectionString, log)) throw new InvalidOperationException("migration failed: " + log);
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await Seeder.RunAsync(dataSource, 1.0, new FakeTimeProvider(SeededAt), log);
    }

    /// <summary>Loads the dashboards of <paramref name="workspaces"/> workspaces with the website's own code, so pg_stat_statements lists its statements.</summary>
    public async Task LoadDashboardsAsync(int workspaces, CancellationToken ct)
    {
        // As WebsiteApp does at startup: the dashboard records are mapped from snake_case columns.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        var service = new DashboardService(dataSource, new FakeTimeProvider(SeededAt));
        for (var ws = 2; ws < 2 + workspaces; ws++)
        {
            (await service.LoadAsync(ws, ct)).ShouldNotBeNull();
        }
    }

    public async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(ConnectionString);
        await c.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 300 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server.Length == 0) return;
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_server);
        await admin.OpenAsync();
        await Lifeguard.TestSupport.TestPostgres.DropDatabaseAsync(admin, Name);
    }
}
