using System.Diagnostics;

namespace Website.Tests.Infrastructure;

/// <summary>Where the real services come from: LIFEGUARD_TEST_PG (set by test.sh), else a private cluster via eng/pg.sh.</summary>
internal static class TestEnvironment
{
    private static readonly Lazy<string> Server = new(FindServer, LazyThreadSafetyMode.ExecutionAndPublication);

    public static bool IsCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Lifeguard.slnx")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Lifeguard.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Connection string of the test server's maintenance database (never skips: a missing server fails).</summary>
    public static string ServerConnectionString => Server.Value;

    private static string FindServer()
    {
        if (Lifeguard.TestSupport.TestPostgres.IsSet)
        {
            return Lifeguard.TestSupport.TestPostgres.ConnectionString;
        }

        if (IsCi)
        {
            throw new InvalidOperationException("LIFEGUARD_TEST_PG is not set and CI is set: PostgreSQL is required (run ./test.sh).");
        }

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
