using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Lifeguard.Contracts;
using Lifeguard.Diagnosis;
using Lifeguard.Postgres.Diagnosis;
using Lifeguard.Postgres.Pooler;
using Spectre.Console;

namespace Lifeguard.Cli.Diagnose;

/// <summary>
/// `lifeguard diagnose --url MANAGEMENT | --server CONNSTRING [--pooler ADMIN_CONNSTRING] [--watch] [--json PATH]`: the current diagnosis with its
/// evidence, asked from the app's diagnoser, or made from the server's side alone. Exit 0 healthy, 3 a cause, 1 failure.
/// </summary>
internal static class DiagnoseCommand
{
    /// <summary>Exit code when a cause other than healthy is named.</summary>
    public const int CauseNamed = 3;

    /// <summary>The variable the website reads its diagnosis login from, read by --server's default.</summary>
    internal const string DiagnosisVariable = "ConnectionStrings__Diagnosis";

    public static Command Create(IAnsiConsole console)
    {
        var url = new Option<string?>("--url") { Description = "The app's management address (where MapLifeguard's endpoints are), e.g. http://127.0.0.1:5081." };
        var server = new Option<string?>("--server") { Description = $"Diagnose from the PostgreSQL server's side alone: its connection string (default without --url: the {DiagnosisVariable} variable, which keeps the password off the command line; run.sh's is the pg_monitor role lifeguard_diagnoser)." };
        var pooler = new Option<string?>("--pooler") { Description = "With --server: the pooler's admin console in front of the server (PgBouncer; like Lifeguard:Diagnosis:Pooler:ConnectionString, e.g. Host=127.0.0.1;Port=6432;Username=admin;Password=...;Database=pgbouncer), read beside the server so the diagnosis can name pooler_saturated." };
        var watch = new Option<bool>("--watch") { Description = "Refresh every second until Ctrl-C." };
        var samples = new Option<int>("--samples") { Description = "With --server: seconds sampled before the first answer.", DefaultValueFactory = _ => 5 };
        var cores = new Option<double?>("--db-cores") { Description = "With --server: the database's cores (default: counted when the server is local)." };
        var fleet = new Option<bool>("--fleet") { Description = "With --url: every instance registered in the app's fleet (its registry in the shared database), the fleet's connection budget and each instance's diagnosis (docs/fleet.md). Exit 3 when the fleet oversubscribes the server or an instance names a cause." };
        var tokenFile = ManagementAccess.TokenFileOption();
        var json = CliApp.JsonOption();
        var command = new Command("diagnose", "Name why the application is slow or failing right now, with evidence, the fix and what not to do. Exit 0 healthy, 3 a cause, 1 failure.")
        {
            url, server, pooler, watch, samples, cores, fleet, tokenFile, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var address = parse.GetValue(url);
            if (parse.GetValue(fleet))
            {
                if (address is null || parse.GetValue(server) is not null)
                    throw new CliException("--fleet reads the fleet through one instance: give --url (its management address), not --server.");
                return await FleetDiagnosis.RunAsync(console, address, parse.GetValue(tokenFile), parse.GetValue(json), parse.GetValue(watch), ct).ConfigureAwait(false);
            }
            var connectionString = parse.GetValue(server)
                ?? (address is null && Environment.GetEnvironmentVariable(DiagnosisVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
            if ((address is null) == (connectionString is null)) throw new CliException("give exactly one of --url (the app's management address) or --server (a connection string).");
            var jsonPath = parse.GetValue(json);
            // Before the samples (5 s with --server), not after them.
            CliJson.EnsureWritable(jsonPath, "--json");
            var keepWatching = parse.GetValue(watch);
            var n = parse.GetValue(samples);
            if (n is < 1 or > 600) throw new CliException("--samples must be between 1 and 600.");
            var poolerAdmin = parse.GetValue(pooler);
            if (poolerAdmin is not null && address is not null)
                throw new CliException("--pooler goes with --server: with --url the app's own diagnoser reads its pooler (Lifeguard:Diagnosis:Pooler:ConnectionString).");

            Func<CancellationToken, Task<Lifeguard.Diagnosis.DiagnosisReport>> next;
            IAsyncDisposable? owned = null;
            if (address is not null)
            {
                if (!Uri.TryCreate(address, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
                    throw new CliException($"--url: '{address}' is not an http(s) address.");
                var http = ManagementAccess.CreateClient(parse.GetValue(tokenFile), TimeSpan.FromSeconds(5), baseUri);
                owned = new DisposableClient(http);
                next = token => FetchAsync(http, token);
            }
            else
            {
                PostgresServerSignalSource source;
                try
                {
                    source = new PostgresServerSignalSource(connectionString!, new PostgresDiagnosisOptions { DatabaseCores = parse.GetValue(cores) });
                }
                catch (ArgumentException e)
                {
                    throw new CliException("--server: " + e.Message, e);
                }
                owned = source;
                PgBouncerSignalSource? poolerSource = null;
                if (poolerAdmin is not null)
                {
                    try
                    {
                        poolerSource = await PoolerConsoleReader.OpenAsync(poolerAdmin, connectionString!, ct).ConfigureAwait(false);
                    }
                    catch
                    {
                        await source.DisposeAsync().ConfigureAwait(false);
                        throw;
                    }
                    owned = new Both(source, poolerSource);
                }
                var diagnoser = new Diagnoser();
                var first = true;
                next = async token =>
                {
                    // The rules judge several seconds: the first answer comes after --samples of them.
                    var rounds = first ? n : 1;
                    first = false;
                    Lifeguard.Diagnosis.DiagnosisReport d = diagnoser.Current;
                    for (var i = 0; i < rounds; i++)
                    {
                        if (i > 0) await Task.Delay(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
                        var signals = await source.SampleAsync(token).ConfigureAwait(false);
                        var poolerSignals = poolerSource is null ? null : await poolerSource.SampleAsync(token).ConfigureAwait(false);
                        d = diagnoser.Observe(new DiagnosisSample(DateTimeOffset.UtcNow, null, signals) { Pooler = poolerSignals });
                    }
                    return d;
                };
            }

            try
            {
                var diagnosis = await next(ct).ConfigureAwait(false);
                Print(console, diagnosis);
                await CliJson.WriteAsync(jsonPath, diagnosis, ct).ConfigureAwait(false);
                while (keepWatching && !ct.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                        diagnosis = await next(ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        break;
                    }
                    console.WriteLine();
                    Print(console, diagnosis);
                    await CliJson.WriteAsync(jsonPath, diagnosis, CancellationToken.None).ConfigureAwait(false);
                }
                return diagnosis.Cause == DiagnosisCause.Healthy ? 0 : CauseNamed;
            }
            finally
            {
                await owned.DisposeAsync().ConfigureAwait(false);
            }
        });
        return command;
    }

    private static async Task<Lifeguard.Diagnosis.DiagnosisReport> FetchAsync(HttpClient http, CancellationToken ct)
    {
        try
        {
            return await http.GetFromJsonAsync<Lifeguard.Diagnosis.DiagnosisReport>("lifeguard/diagnosis", ContractJson.Options, ct).ConfigureAwait(false)
                ?? throw new CliException("--url: the diagnosis endpoint answered null.");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException || e is TaskCanceledException && !ct.IsCancellationRequested)
        {
            var why = e is HttpRequestException h ? ManagementAccess.Explain(h, http.DefaultRequestHeaders.Authorization is not null) : e.Message;
            throw new CliException($"--url: cannot read {new Uri(http.BaseAddress!, "lifeguard/diagnosis")}: {why}", e);
        }
    }

    private static void Print(IAnsiConsole console, Lifeguard.Diagnosis.DiagnosisReport d)
    {
        // One line per item, never wrapped: on-call greps and pastes these (a pid or a query split in two is lost).
        var color = d.Cause == DiagnosisCause.Healthy ? "green" : "red";
        CliApp.MarkupLineUnwrapped(console, string.Create(CultureInfo.InvariantCulture,
            $"[bold {color}]{Markup.Escape(DiagnosisCauses.NameOf(d.Cause))}[/] since {d.Since.ToUniversalTime():HH:mm:ss}Z, confidence {d.Confidence:P0}"));
        CliApp.MarkupLineUnwrapped(console, Markup.Escape(d.Summary));
        foreach (var e in d.Evidence) CliApp.MarkupLineUnwrapped(console, "  - " + Markup.Escape(e.ReplaceLineEndings(" ")));
        if (d.Remedy.Length > 0) CliApp.MarkupLineUnwrapped(console, "[bold]do:[/] " + Markup.Escape(d.Remedy));
        if (d.Avoid.Length > 0) CliApp.MarkupLineUnwrapped(console, "[bold]don't:[/] " + Markup.Escape(d.Avoid));
        if (d.Consequences.Count > 0) CliApp.MarkupLineUnwrapped(console, "also holding, as consequences: " + Markup.Escape(string.Join(", ", d.Consequences.Select(DiagnosisCauses.NameOf))));
    }

    private sealed class Both(IAsyncDisposable server, IAsyncDisposable pooler) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await pooler.DisposeAsync().ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class DisposableClient(HttpClient client) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
