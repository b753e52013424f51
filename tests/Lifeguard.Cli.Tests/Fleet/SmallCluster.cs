using System.Globalization;
using Lifeguard.Cli.Drill;
using Npgsql;

namespace Lifeguard.Cli.Tests.Fleet;

/// <summary>
/// A throwaway PostgreSQL of the test's own with few slots (eng/pg.sh start --max-connections), the website's schema and
/// a small seed: a server a fleet of website processes can oversubscribe. Port: LIFEGUARD_TEST_PG_SPARE_PORT, else the
/// test cluster's port + 20 (the drills run alone, after the suites that use that port). Stopped on dispose.
/// </summary>
internal sealed class SmallCluster : IAsyncDisposable
{
    private readonly Checkout _checkout;
    private readonly string[] _pgArgs;

    private SmallCluster(Checkout checkout, int port, string data)
    {
        _checkout = checkout;
        Port = port;
        DataDirectory = data;
        _pgArgs = ["--data", data, "--port", port.ToString(CultureInfo.InvariantCulture)];
    }

    public int Port { get; }

    public string DataDirectory { get; }

    /// <summary>The website role's login (no pool settings).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The server's log, where PostgreSQL writes every refused connection ("sorry, too many clients already").</summary>
    public string ServerLog => Path.Combine(DataDirectory, "server.log");

    public static async Task<SmallCluster> StartAsync(Checkout checkout, int maxConnections, double seedScale, CancellationToken ct)
    {
        var main = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString);
        var port = int.TryParse(Environment.GetEnvironmentVariable("LIFEGUARD_TEST_PG_SPARE_PORT"), out var p) ? p : main.Port + 20;
        var cluster = new SmallCluster(checkout, port, Path.Combine(checkout.Root, ".data", $"fleet-spare-{port}"));
        var pg = Path.Combine(checkout.Root, "eng", "pg.sh");
        // A cluster left running by an interrupted run has its own max_connections: start it afresh.
        await checkout.RunAsync(pg, ["stop", .. cluster._pgArgs], null, ct);
        try
        {
            await checkout.RunAsync(pg, ["start", .. cluster._pgArgs, "--max-connections", maxConnections.ToString(CultureInfo.InvariantCulture)], null, ct);
            cluster.ConnectionString = (await checkout.RunAsync(pg, ["url", .. cluster._pgArgs], null, ct)).Trim();
            var env = new Dictionary<string, string> { ["ConnectionStrings__Main"] = cluster.ConnectionString };
            await checkout.RunAsync("dotnet", [checkout.WebsiteDll, "migrate"], env, ct);
            await checkout.RunAsync("dotnet", [checkout.WebsiteDll, "seed", "--scale", seedScale.ToString(CultureInfo.InvariantCulture)], env, ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _checkout.RunAsync(Path.Combine(_checkout.Root, "eng", "pg.sh"), ["stop", .. _pgArgs], null, CancellationToken.None);
    }
}
