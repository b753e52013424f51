using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lifeguard.Postgres.Pooler;

namespace Lifeguard.Cli.Drill.Faults;

/// <summary>
/// A real PgBouncer (Debian's package, installed by eng/prereqs.sh pooler) in front of the drill's database, in
/// transaction mode on a free port of 127.0.0.1: the pooler fault's site connects through it. Its directory (ini,
/// auth file, log) is temporary; stopped and removed on dispose. Runs as the postgres user when the drill runs as root
/// (PgBouncer refuses root).
/// </summary>
internal sealed class DrillPgBouncer : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/pgbouncer";
    private readonly Process _process;
    private readonly string _directory;
    private readonly string _user;
    private readonly string _password;

    private DrillPgBouncer(Process process, string directory, int port, string user, string password, int poolSize)
    {
        (_process, _directory, Port, _user, _password, PoolSize) = (process, directory, port, user, password, poolSize);
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>Its default_pool_size as last set.</summary>
    public int PoolSize { get; private set; }

    /// <summary>The admin console (the site's user is an admin user of this pooler).</summary>
    public string AdminConnectionString =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username={_user};Password={_password};Database=pgbouncer;Timeout=3");

    /// <summary>Starts it in front of <paramref name="serverHost"/>:<paramref name="serverPort"/> for <paramref name="database"/>,
    /// with <paramref name="poolSize"/> server connections per pair; returns once it accepts connections (up to 15 s).</summary>
    public static async Task<DrillPgBouncer> StartAsync(string serverHost, int serverPort, string database, string user, string password, int poolSize, CancellationToken ct)
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"the pooler drill needs PgBouncer ({Binary}): install it with eng/prereqs.sh pooler (apt-get install pgbouncer).");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(serverHost, serverPort, database, user, password, poolSize, ct).ConfigureAwait(false);
            }
            catch (InvalidOperationException e) when (attempt < 4 && e.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
                // the free port was taken before PgBouncer bound it: another one
            }
        }
    }

    private static async Task<DrillPgBouncer> StartOnceAsync(string serverHost, int serverPort, string database, string user, string password, int poolSize, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("lifeguard-drill-pgbouncer-").FullName;
        var port = FreePort();
        var log = Path.Combine(dir, "pgbouncer.log");
        await File.WriteAllTextAsync(Path.Combine(dir, "userlist.txt"), $"\"{user}\" \"{password.Replace("\"", "\"\"", StringComparison.Ordinal)}\"\n", ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir, "pgbouncer.ini"), string.Join('\n',
            "[databases]",
            $"{database} = host={serverHost} port={serverPort} dbname={database}",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            $"listen_port = {port}",
            "unix_socket_dir =",
            "pool_mode = transaction",
            $"default_pool_size = {poolSize}",
            "max_client_conn = 500",
            "auth_type = scram-sha-256",
            $"auth_file = {Path.Combine(dir, "userlist.txt")}",
            $"admin_users = {user}",
            $"stats_users = {user}",
            // Npgsql sends extra_float_digits at login; without this PgBouncer refuses it.
            "ignore_startup_parameters = extra_float_digits,options",
            $"logfile = {log}",
            ""), ct).ConfigureAwait(false);

        var root = Environment.UserName == "root";
        if (root) Run("chown", "-R", "postgres", dir);
        var start = new ProcessStartInfo(root ? "runuser" : Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (root) foreach (var a in new[] { "-u", "postgres", "--", Binary }) start.ArgumentList.Add(a);
        start.ArgumentList.Add(Path.Combine(dir, "pgbouncer.ini"));
        var process = Process.Start(start) ?? throw new InvalidOperationException("pgbouncer did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var bouncer = new DrillPgBouncer(process, dir, port, user, password, poolSize);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, ct).ConfigureAwait(false);
                return bouncer;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                var text = File.Exists(log) ? await File.ReadAllTextAsync(log, ct).ConfigureAwait(false) : "";
                await bouncer.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"pgbouncer did not listen on 127.0.0.1:{port} within 15 s: {text.Trim()}");
            }
        }
    }

    /// <summary>Sets default_pool_size on the admin console; a smaller pool takes effect at once (RECONNECT closes the
    /// server connections as they are released).</summary>
    public async Task SetPoolSizeAsync(int size, CancellationToken ct)
    {
        await using var console = await PgBouncerConsole.OpenAsync(AdminConnectionString, ct).ConfigureAwait(false);
        await console.QueryAsync(string.Create(CultureInfo.InvariantCulture, $"SET default_pool_size = {size}"), ct).ConfigureAwait(false);
        if (size < PoolSize) await console.QueryAsync("RECONNECT", ct).ConfigureAwait(false);
        PoolSize = size;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false }) ?? throw new InvalidOperationException(file + " did not start.");
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: runuser passes it on and reaps pgbouncer; SIGKILL only if it hangs.
            try { Run("kill", "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)); } catch (InvalidOperationException) { /* already gone */ }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { /* a log still being written; the temp dir is cleaned anyway */ }
    }
}
