using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;

namespace Lifeguard.Cli.Tests.Drill;

/// <summary>
/// The real incident service (apps/Incidents' build output) as its own process on 127.0.0.1:random, on a fresh database
/// of the test cluster, with a responder token and a responder login; stopped and dropped on dispose.
/// </summary>
internal sealed partial class IncidentServiceProcess : IAsyncDisposable
{
    public const string Token = "drill-test-token-0123456789abcdefghijklmnop";
    public const string Email = "responder@lifeguard.local";
    public const string Password = "Drill-Test-Password-1";

    private readonly Process _process;
    private readonly string _server;
    private readonly string _database;
    private readonly Queue<string> _log = new();

    private IncidentServiceProcess(Process process, Uri url, string server, string database)
    {
        _process = process;
        Url = url;
        _server = server;
        _database = database;
    }

    public Uri Url { get; }

    public string Log { get { lock (_log) return string.Join(Environment.NewLine, _log); } }

    // the key-encryption key the service requires: random, owner-only, one per test process
    private static readonly Lazy<string> KekFile = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"drill-incidents-{Guid.NewGuid():N}.kek");
        File.WriteAllText(path, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    });

    public static async Task<IncidentServiceProcess> StartAsync(string server, CancellationToken ct)
    {
        var root = FindRoot();
        var dll = Path.Combine(root, "apps", "Incidents", "bin", "Release", "net10.0", "Incidents.dll");
        File.Exists(dll).ShouldBeTrue($"{dll} is missing: build apps/Incidents (test.sh builds the solution)");
        var database = "incidents_drill_" + Guid.NewGuid().ToString("N")[..10];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync(ct);
        }

        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__Incidents"] = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString,
            ["Incidents__Token"] = Token,
            ["Incidents__KeyEncryptionKeyFile"] = KekFile.Value,
            ["Incidents__Evidence__PollInterval"] = "00:00:00.200",
            ["Incidents__Evidence__RetryDelay"] = "00:00:00.300",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        await RunAsync(dll, ["migrate"], env, null, ct);
        await RunAsync(dll, ["user", Email, "responder"], env, Password, ct);

        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var psi = Psi(dll, ["--urls", url.ToString()], env);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the incident service");
        var service = new IncidentServiceProcess(process, url, server, database);
        process.OutputDataReceived += (_, e) => service.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => service.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(200, ct))
        {
            if (process.HasExited) throw new InvalidOperationException($"the incident service exited ({process.ExitCode}): {service.Log}");
            try
            {
                using var r = await http.GetAsync(new Uri(url, "/health"), ct);
                if (r.IsSuccessStatusCode) return service;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            if (DateTime.UtcNow > deadline) throw new TimeoutException("the incident service did not answer /health within 30 s: " + service.Log);
        }
    }

    /// <summary>A browser-like session logged in as the responder (cookie, antiforgery token from the login page).</summary>
    public async Task<HttpClient> LoginAsync(CancellationToken ct)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) };
        var page = await http.GetStringAsync("/account/login", ct);
        var token = WebUtility.HtmlDecode(AntiforgeryToken().Match(page).Groups[1].Value);
        using var login = await http.PostAsync("/account/login", new FormUrlEncodedContent(
            [new("Email", Email), new("Password", Password), new("__RequestVerificationToken", token)]), ct);
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the responder's login");
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_server);
        await admin.OpenAsync();
        await Lifeguard.TestSupport.TestPostgres.DropDatabaseAsync(admin, _database);
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            _log.Enqueue(line);
            while (_log.Count > 200) _log.Dequeue();
        }
    }

    private static ProcessStartInfo Psi(string dll, string[] args, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        return psi;
    }

    private static async Task RunAsync(string dll, string[] args, Dictionary<string, string> env, string? stdin, CancellationToken ct)
    {
        using var p = Process.Start(Psi(dll, args, env)) ?? throw new InvalidOperationException("cannot start " + dll);
        if (stdin is not null) await p.StandardInput.WriteLineAsync(stdin);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync(ct);
        var error = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        p.ExitCode.ShouldBe(0, $"Incidents {string.Join(' ', args)}: {await output} {await error}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Lifeguard.slnx"))) return dir.FullName;
        }

        throw new InvalidOperationException("Lifeguard.slnx not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
