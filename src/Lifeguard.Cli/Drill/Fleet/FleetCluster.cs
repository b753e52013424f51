using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Lifeguard.Cli.Drill.Fleet;

/// <summary>
/// The fleet drill's own small PostgreSQL (max_connections 25 by default): three instances oversubscribe it with a few
/// users each, on a 2-core machine, and the private cluster other drills and run.sh use is not squeezed. Started (and
/// max_connections set, which needs a restart) when not running; stopped on dispose only when this run started it.
/// </summary>
internal sealed class FleetCluster : IAsyncDisposable
{
    private readonly Checkout _checkout;
    private readonly string[] _args;
    private bool _started;

    private FleetCluster(Checkout checkout, int port, string dataDir)
    {
        _checkout = checkout;
        Port = port;
        DataDir = dataDir;
        _args = ["--data", dataDir, "--port", port.ToString(CultureInfo.InvariantCulture)];
    }

    public int Port { get; }
    public string DataDir { get; }

    /// <summary>The server's log: PostgreSQL writes every connection it refuses there ("sorry, too many clients already").</summary>
    public string ServerLog => Path.Combine(DataDir, "server.log");

    public static async Task<FleetCluster> StartAsync(Checkout checkout, int port, int maxConnections, Action<string> say, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(checkout);
        var cluster = new FleetCluster(checkout, port, Path.Combine(checkout.Root, ".data", F($"fleet-drill-{port}")));
        try
        {
            await cluster.StartAsync(maxConnections, say, ct).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartAsync(int maxConnections, Action<string> say, CancellationToken ct)
    {
        var pg = Path.Combine(_checkout.Root, "eng", "pg.sh");
        try
        {
            await _checkout.RunAsync(pg, ["status", .. _args], null, ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            say(F($"starting the fleet's PostgreSQL on port {Port} ({DataDir})..."));
            await _checkout.RunAsync(pg, ["start", .. _args], null, ct).ConfigureAwait(false);
            _started = true;
        }

        if (await MaxConnectionsAsync(ct).ConfigureAwait(false) == maxConnections) return;
        // max_connections takes a restart: set it once; the data directory keeps it for the next drill.
        say(F($"setting the fleet's PostgreSQL to max_connections {maxConnections} (a restart)"));
        await PsqlAsync(pg, F($"ALTER SYSTEM SET max_connections = {maxConnections};"), ct).ConfigureAwait(false);
        await _checkout.RunAsync(pg, ["stop", .. _args], null, ct).ConfigureAwait(false);
        await _checkout.RunAsync(pg, ["start", .. _args], null, ct).ConfigureAwait(false);
        _started = true;
        var now = await MaxConnectionsAsync(ct).ConfigureAwait(false);
        if (now != maxConnections) throw new InvalidOperationException(F($"the fleet's PostgreSQL kept max_connections {now}, not {maxConnections}"));
    }

    /// <summary>The cluster's "lifeguard" database as eng/pg.sh's login (straight, no relay).</summary>
    public async Task<string> ConnectionStringAsync(CancellationToken ct) =>
        (await _checkout.RunAsync(Path.Combine(_checkout.Root, "eng", "pg.sh"), ["url", .. _args], null, ct).ConfigureAwait(false)).Trim();

    private async Task<int> MaxConnectionsAsync(CancellationToken ct)
    {
        var cs = new NpgsqlConnectionStringBuilder(await ConnectionStringAsync(ct).ConfigureAwait(false)) { Pooling = false, ApplicationName = "lifeguard-drill-operator" };
        await using var c = new NpgsqlConnection(cs.ConnectionString);
        await c.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT current_setting('max_connections')::int", c);
        return (int)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    private async Task PsqlAsync(string pg, string sql, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = _checkout.Root, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])[pg, "psql", .. _args]) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start psql");
        await process.StandardInput.WriteLineAsync(sql).ConfigureAwait(false);
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode != 0) throw new InvalidOperationException("psql failed: " + await error.ConfigureAwait(false));
    }

    /// <summary>Refused connections PostgreSQL logged after <paramref name="offset"/> (a byte offset of <see cref="ServerLog"/>).</summary>
    public int RefusedSince(long offset)
    {
        if (!File.Exists(ServerLog)) return 0;
        using var f = new FileStream(ServerLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        f.Seek(Math.Min(offset, f.Length), SeekOrigin.Begin);
        using var r = new StreamReader(f);
        var count = 0;
        while (r.ReadLine() is { } line)
            if (line.Contains("too many clients", StringComparison.Ordinal) || line.Contains("remaining connection slots are reserved", StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>Where <see cref="ServerLog"/> ends now.</summary>
    public long LogLength => File.Exists(ServerLog) ? new FileInfo(ServerLog).Length : 0;

    public async ValueTask DisposeAsync()
    {
        if (!_started) return;
        _started = false;
        await _checkout.RunAsync(Path.Combine(_checkout.Root, "eng", "pg.sh"), ["stop", .. _args], null, CancellationToken.None).ConfigureAwait(false);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
