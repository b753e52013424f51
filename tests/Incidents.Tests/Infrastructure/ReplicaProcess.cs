using System.Diagnostics;
using Npgsql;

namespace Incidents.Tests.Infrastructure;

/// <summary>
/// One replica of the service as its own OS process (apps/Incidents' build output, `dotnet Incidents.dll`), so a test can
/// SIGKILL it: no graceful stop, no finally block, its database sessions cut as a crash cuts them. Its sessions carry
/// <c>Application Name</c> = <see cref="Name"/>, so a test sees in pg_stat_activity which replica is doing what.
/// </summary>
internal sealed class ReplicaProcess : IAsyncDisposable
{
    private ReplicaProcess(string name, Process process, Uri url, string logPath)
    {
        Name = name;
        Process = process;
        Url = url;
        LogPath = logPath;
    }

    public string Name { get; }

    public Process Process { get; }

    public Uri Url { get; }

    public string LogPath { get; }

    public static string Dll
    {
        get
        {
            // the configuration this test assembly was built in (bin/Release/net10.0 or bin/Debug/net10.0)
            var config = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Release";
            var path = Path.Combine(TestEnvironment.RepoRoot, "apps", "Incidents", "bin", config, "net10.0", "Incidents.dll");
            File.Exists(path).ShouldBeTrue($"{path} is missing (building tests/Incidents.Tests builds it)");
            return path;
        }
    }

    public static async Task<ReplicaProcess> StartAsync(string name, string connectionString, IDictionary<string, string> settings)
    {
        var url = new Uri($"http://127.0.0.1:{TestEnvironment.FreePort()}");
        var env = new Dictionary<string, string>(settings)
        {
            ["ConnectionStrings__Incidents"] = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = name }.ConnectionString,
            ["Incidents__Token"] = RunningService.Token,
            ["Incidents__KeyEncryptionKeyFile"] = TestKek.Path,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        var log = Path.Combine(Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}.log");
        var process = TestEnvironment.Start("dotnet", $"\"{Dll}\" --urls {url}", log, env);
        var replica = new ReplicaProcess(name, process, url, log);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"replica {name} exited ({process.ExitCode}): {replica.Log()}");
            try
            {
                using var r = await http.GetAsync(new Uri(url, "/health"));
                if (r.IsSuccessStatusCode) return replica;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                // not handed to the test, so nobody else would stop it: a replica left running keeps opening connections
                // to the test cluster (the drills after it then find a slot taken)
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new TimeoutException($"replica {name} did not answer /health within 30 s: {replica.Log()}");
            }
            await Task.Delay(100);
        }
    }

    public HttpClient Api()
    {
        var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", RunningService.Token);
        return http;
    }

    /// <summary>SIGKILL (Process.Kill on Linux), then waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        Process.Kill();
        await Process.WaitForExitAsync();
    }

    public string Log()
    {
        try
        {
            return File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
        File.Delete(LogPath);
    }
}
