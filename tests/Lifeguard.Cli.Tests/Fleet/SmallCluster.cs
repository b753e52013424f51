using System.Diagnostics;
using Lifeguard.Cli.Drill;
using Npgsql;

namespace Lifeguard.Cli.Tests.Fleet;

/// <summary>
/// A PostgreSQL cluster of the fleet tests' own with max_connections 20 (17 usable), so two website instances with pools
/// of 12 oversubscribe it for real without disturbing the shared test cluster. Port: LIFEGUARD_TEST_PG_FLEET_PORT, else
/// the test cluster's port + 24. Started once per test class (eng/pg.sh), stopped at the end.
/// </summary>
public sealed class SmallCluster : IAsyncLifetime
{
    private Checkout _repo = null!;
    private string[] _args = [];

    public const int MaxConnections = 20;

    /// <summary>The server's log, where PostgreSQL writes every connection it refuses ("sorry, too many clients already").</summary>
    public string ServerLog { get; private set; } = "";

    /// <summary>The cluster's "lifeguard" database as the test cluster's login.</summary>
    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var main = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString);
        var port = int.TryParse(Environment.GetEnvironmentVariable("LIFEGUARD_TEST_PG_FLEET_PORT"), out var p) ? p : main.Port + 24;
        _repo = Checkout.Find();
        var data = Path.Combine(_repo.Root, ".data", $"fleet-small-{port}");
        _args = ["--data", data, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        ServerLog = Path.Combine(data, "server.log");
        var pg = Path.Combine(_repo.Root, "eng", "pg.sh");
        await _repo.RunAsync(pg, ["start", .. _args], null, CancellationToken.None);
        // max_connections needs a restart: set it once, restart, and check it took.
        await PsqlAsync(pg, $"ALTER SYSTEM SET max_connections = {MaxConnections};");
        await _repo.RunAsync(pg, ["stop", .. _args], null, CancellationToken.None);
        await _repo.RunAsync(pg, ["start", .. _args], null, CancellationToken.None);
        ConnectionString = new NpgsqlConnectionStringBuilder(main.ConnectionString) { Port = port, Database = "lifeguard" }.ConnectionString;
        await using var c = new NpgsqlConnection(ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT current_setting('max_connections')::int", c);
        var max = (int)(await cmd.ExecuteScalarAsync())!;
        if (max != MaxConnections) throw new InvalidOperationException($"the small cluster has max_connections {max}, not {MaxConnections}");
    }

    public async ValueTask DisposeAsync() =>
        await _repo.RunAsync(Path.Combine(_repo.Root, "eng", "pg.sh"), ["stop", .. _args], null, CancellationToken.None);

    private async Task PsqlAsync(string pg, string sql)
    {
        var psi = new ProcessStartInfo("bash", [pg, "psql", .. _args]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        await process.StandardInput.WriteLineAsync(sql);
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"psql failed: {await error}");
    }
}
