using System.Diagnostics;
using Lifeguard.TestSupport;

namespace Lifeguard.TestKit;

/// <summary>
/// Where an app test's real services come from: the test PostgreSQL (LIFEGUARD_TEST_PG, else a private cluster started
/// through eng/pg.sh; with CI set a missing one fails, never skips), the checkout, free ports and helper processes.
/// </summary>
public static class TestEnvironment
{
    private static readonly Lazy<string> Server = new(FindServer, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether CI is set: then a missing server or program fails the test instead of skipping it.</summary>
    public static bool IsCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>The checkout (the folder holding Lifeguard.slnx above the test assembly).</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Lifeguard.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Lifeguard.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Connection string of the test server's maintenance database.</summary>
    public static string ServerConnectionString => Server.Value;

    /// <summary>A program's full path, or a skip (a failure under CI) when it is not installed.</summary>
    public static string Program(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }

        if (IsCi) Assert.Fail($"{name} is not installed and CI is set (eng/prereqs.sh installs it).");
        Assert.Skip($"{name} is not installed (eng/prereqs.sh monitoring browser).");
        return "";
    }

    /// <summary>A TCP port free on 127.0.0.1 right now.</summary>
    public static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Starts a process in the checkout with its stdout and stderr appended to <paramref name="logPath"/>.</summary>
    public static Process Start(string file, string args, string logPath, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoRoot };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static string FindServer()
    {
        if (TestPostgres.IsSet || IsCi) return TestPostgres.ConnectionString;

        // Local convenience: start (or reuse) the test cluster the way test.sh does.
        var port = Environment.GetEnvironmentVariable("LIFEGUARD_TEST_PG_PORT") ?? "54339";
        var script = Path.Combine(RepoRoot, "eng", "pg.sh");
        Run(script, $"start --data .data/test-pg-{port} --port {port}");
        return Run(script, $"url --port {port}").Trim();
    }

    private static string Run(string file, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoRoot })
            ?? throw new InvalidOperationException($"could not start {file}");
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {args} failed: {error}");
    }
}
