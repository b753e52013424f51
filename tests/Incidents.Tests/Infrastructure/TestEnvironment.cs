using System.Diagnostics;

namespace Incidents.Tests.Infrastructure;

/// <summary>Where the real services come from: LIFEGUARD_TEST_PG (set by test.sh); with CI set a missing one fails, never skips.</summary>
internal static class TestEnvironment
{
    public static bool IsCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Lifeguard.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Lifeguard.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The test server's maintenance connection string, or a skip (a failure under CI).</summary>
    public static string ServerConnectionString
    {
        get
        {
            return Lifeguard.TestSupport.TestPostgres.ConnectionString;
        }
    }

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

    public static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

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
}
