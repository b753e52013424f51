using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Lifeguard.TestSupport;

/// <summary>
/// A real PgBouncer (Debian's package) in front of the private test cluster, on 127.0.0.1, for the tests that need one;
/// stopped and its directory removed on dispose. With CI set a missing pgbouncer fails, otherwise the test skips.
/// (The smallest starter the check tests need; Lifeguard.Testing gets the reusable one.)
/// </summary>
internal sealed class TestPgBouncer : IAsyncDisposable
{
    private const string Binary = "/usr/sbin/pgbouncer";
    private readonly Process _process;

    private TestPgBouncer(Process process, string directory, int port, string iniPath, string user, string password)
    {
        (_process, Directory, Port, IniPath, _user, _password) = (process, directory, port, iniPath, user, password);
    }

    private readonly string _user;
    private readonly string _password;

    /// <summary>The directory holding pgbouncer.ini, its auth file and log.</summary>
    public string Directory { get; }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The pgbouncer.ini it runs with.</summary>
    public string IniPath { get; }

    /// <summary>The admin console's connection string (database pgbouncer).</summary>
    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username={_user};Password={_password};Database=pgbouncer;Pooling=false";

    /// <summary>
    /// Starts PgBouncer in <paramref name="poolMode"/> in front of the test cluster's database on a free port of
    /// 55490–55509, with <paramref name="extraSettings"/> lines appended to [pgbouncer]; waits (up to 30 s) for its console.
    /// </summary>
    public static async Task<TestPgBouncer> StartAsync(string poolMode = "transaction", string extraSettings = "")
    {
        // A port free when probed can be taken before pgbouncer binds it (tests start poolers in parallel): try another.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(poolMode, extraSettings);
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
            }
        }
    }

    private static async Task<TestPgBouncer> StartOnceAsync(string poolMode, string extraSettings)
    {
        var server = new DbConnectionStringBuilder { ConnectionString = TestPostgres.ConnectionString };
        if (!File.Exists(Binary))
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) Assert.Fail($"{Binary} is missing and CI is set: install the pgbouncer package (eng/prereqs.sh).");
            Assert.Skip($"{Binary} is missing (apt-get install pgbouncer).");
        }
        string Get(string key, string fallback) => server.TryGetValue(key, out var v) && v is not null && v.ToString()!.Length > 0 ? v.ToString()! : fallback;
        var user = Get("Username", "lifeguard");
        var password = Get("Password", "lifeguard");
        var dir = System.IO.Directory.CreateTempSubdirectory("lifeguard-pgbouncer-").FullName;
        var port = FreePort();
        var ini = Path.Combine(dir, "pgbouncer.ini");
        await File.WriteAllTextAsync(Path.Combine(dir, "userlist.txt"), $"\"{user}\" \"{password}\"\n");
        await File.WriteAllTextAsync(ini, string.Join('\n',
            "[databases]",
            $"{Get("Database", "lifeguard")} = host={Get("Host", "127.0.0.1")} port={Get("Port", "5432")} dbname={Get("Database", "lifeguard")}",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            $"listen_port = {port}",
            "unix_socket_dir =",
            $"pool_mode = {poolMode}",
            "auth_type = scram-sha-256",
            $"auth_file = {Path.Combine(dir, "userlist.txt")}",
            $"admin_users = {user}",
            $"stats_users = {user}",
            "ignore_startup_parameters = extra_float_digits,options",
            $"logfile = {Path.Combine(dir, "pgbouncer.log")}",
            extraSettings,
            ""));

        // PgBouncer refuses to run as root: run it as postgres, which must own its directory.
        var root = Environment.UserName == "root";
        if (root) Run("chown", "-R", "postgres", dir);
        var start = new ProcessStartInfo(root ? "runuser" : Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (root) foreach (var a in new[] { "-u", "postgres", "--", Binary }) start.ArgumentList.Add(a);
        start.ArgumentList.Add(ini);
        var process = Process.Start(start) ?? throw new InvalidOperationException("pgbouncer did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var bouncer = new TestPgBouncer(process, dir, port, ini, user, password);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
                return bouncer;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
            catch (SocketException)
            {
                var log = File.Exists(Path.Combine(dir, "pgbouncer.log")) ? await File.ReadAllTextAsync(Path.Combine(dir, "pgbouncer.log")) : "";
                await bouncer.DisposeAsync();
                throw new InvalidOperationException($"pgbouncer did not listen on {port} within 30 s: {log}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first: runuser passes it on and reaps pgbouncer, so no zombie is left behind; SIGKILL only if it hangs.
            try { Run("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)); } catch (InvalidOperationException) { /* already gone */ }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        _process.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { /* a log still being written; /tmp is cleaned anyway */ }
    }

    private static int _nextPort;

    // LIFEGUARD_TEST_PGBOUNCER_PORTS=FIRST-LAST moves the range (several checkouts testing on one machine).
    private static int FreePort()
    {
        var (first, last) = (55490, 55509);
        if (Environment.GetEnvironmentVariable("LIFEGUARD_TEST_PGBOUNCER_PORTS") is { Length: > 0 } range && range.Split('-') is [var a, var b]
            && int.TryParse(a, out var lo) && int.TryParse(b, out var hi) && lo > 0 && hi >= lo)
            (first, last) = (lo, hi);
        var count = last - first + 1;
        var offset = Interlocked.Increment(ref _nextPort);
        for (var i = 0; i < count; i++)
        {
            var port = first + ((offset + i) % count);
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken: the next one
            }
        }
        throw new InvalidOperationException($"No free port in {first}–{last} for pgbouncer.");
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false }) ?? throw new InvalidOperationException(file + " did not start.");
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}.");
    }
}
