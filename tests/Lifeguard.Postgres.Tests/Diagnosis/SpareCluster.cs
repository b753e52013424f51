using System.Diagnostics;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Diagnosis;

/// <summary>
/// A throwaway PostgreSQL cluster of the tests' own (eng/pg.sh), for faults that would disturb the shared test cluster:
/// stopping and starting the server, taking every connection slot. Port: LIFEGUARD_TEST_PG_SPARE_PORT, else the test
/// cluster's port + 20. Started once per test class, stopped at the end.
/// </summary>
public sealed class SpareCluster : IAsyncLifetime
{
    private string _root = "";

    public int Port { get; private set; }

    public string DataDirectory { get; private set; } = "";

    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var main = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString);
        Port = int.TryParse(Environment.GetEnvironmentVariable("LIFEGUARD_TEST_PG_SPARE_PORT"), out var p) ? p : main.Port + 20;
        _root = RepositoryRoot();
        DataDirectory = Path.Combine(_root, ".data", $"diag-spare-{Port}");
        await PgAsync("start");
        ConnectionString = new NpgsqlConnectionStringBuilder(main.ConnectionString) { Port = Port, Database = "lifeguard" }.ConnectionString;
    }

    public Task StopAsync() => PgAsync("stop");

    public Task StartAsync() => PgAsync("start");

    public async ValueTask DisposeAsync() => await PgAsync("stop");

    private async Task PgAsync(string verb)
    {
        var psi = new ProcessStartInfo("bash", [Path.Combine(_root, "eng", "pg.sh"), verb, "--data", DataDirectory, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root,
        };
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"eng/pg.sh {verb} failed: {await output} {await error}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "eng", "pg.sh"))) return dir.FullName;
        }
        throw new InvalidOperationException("eng/pg.sh not found above " + AppContext.BaseDirectory);
    }
}
