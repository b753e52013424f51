using System.CommandLine;
using System.Text.Json;
using Lifeguard.Configuration;
using Lifeguard.Postgres;
using Npgsql;
using Spectre.Console;

namespace Lifeguard.Cli.Check;

/// <summary>`lifeguard check &lt;appsettings.json | connection string&gt;`: pool-configuration rules for CI; exit 1 on any error.</summary>
internal static class CheckCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var target = new Argument<string>("target") { Description = "An appsettings.json file (every ConnectionStrings section is checked) or one connection string." };
        var budget = new Option<string>("--request-budget") { Description = "How long a request may take; the acquire Timeout must be shorter.", DefaultValueFactory = _ => "10s" };
        var instances = new Option<int>("--instances") { Description = "Application instances sharing the server.", DefaultValueFactory = _ => 1 };
        var server = new Option<string?>("--server") { Description = "Connection string of the server: max_connections, reserved slots and other clients are read from it." };
        var maxConnections = new Option<int?>("--max-connections", "--server-max-connections") { Description = "The server's max_connections (instead of, or overriding, --server)." };
        var reserved = new Option<int?>("--reserved") { Description = "Reserved slots (superuser_reserved_connections); default 3 with --max-connections." };
        var otherClients = new Option<int?>("--other-clients") { Description = "Connections other clients hold on the server." };
        var cores = new Option<int?>("--db-cores") { Description = "Database cores: warns when all pools exceed cores × 4." };
        var sources = new Option<DirectoryInfo?>("--sources") { Description = "The application's source directory: its .cs and .sql files are scanned for session state (SET, advisory locks, LISTEN, temp tables) and explicit Prepare, for the pooler rules." };
        var pooler = new PoolerFlags();
        var env = new Option<bool>("--env") { Description = "Also read connection strings from environment variables (ConnectionStrings__Main), overriding the file, as the app's configuration does." };
        var json = CliApp.JsonOption();

        var command = new Command("check", "Check connection-pool configuration (for CI). Exit 1 when any finding is an error.")
        {
            target, budget, instances, server, maxConnections, reserved, otherClients, cores, env, sources, json,
        };
        pooler.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var options = new PoolCheckOptions
            {
                RequestBudget = DurationParser.Parse(parse.GetValue(budget)!, "--request-budget"),
                Instances = parse.GetValue(instances),
                DatabaseCores = parse.GetValue(cores),
            };
            if (options.Instances < 1) throw new CliException("--instances must be at least 1.");

            ServerConnectionBudget? serverBudget = null;
            if (parse.GetValue(server) is { } serverCs)
            {
                try
                {
                    serverBudget = await PostgresServerBudget.QueryAsync(serverCs, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is NpgsqlException or ArgumentException or TimeoutException)
                {
                    throw new CliException($"--server: cannot read the connection budget: {e.Message}", e);
                }
                options.ServerMaxConnections = serverBudget.MaxConnections;
                options.ReservedConnections = serverBudget.ReservedConnections;
                options.OtherClientConnections = serverBudget.OtherClientConnections;
            }
            if (parse.GetValue(maxConnections) is { } max)
            {
                options.ServerMaxConnections = max;
                if (serverBudget is null) options.ReservedConnections = 3; // PostgreSQL's default superuser_reserved_connections
            }
            if (parse.GetValue(reserved) is { } r) options.ReservedConnections = r;
            if (parse.GetValue(otherClients) is { } o) options.OtherClientConnections = o;

            options.Pooler = await pooler.ResolveAsync(parse, ct).ConfigureAwait(false);
            if (parse.GetValue(sources) is { } dir)
            {
                if (!dir.Exists) throw new CliException($"--sources: {dir.FullName} is not a directory.");
                options.SessionStateUses = SessionStateScanner.ScanDirectory(dir.FullName);
            }

            var text = parse.GetValue(target)!;
            var (pools, unset) = ReadPools(text, parse.GetValue(env) ? ReadEnvironment() : null);
            var findings = PoolConfigurationRules.Evaluate(pools, options).Concat(unset).ToList();
            var report = ToReport(text, options, serverBudget, pools, findings);
            Print(console, report);
            await CliJson.WriteAsync(parse.GetValue(json), report, ct).ConfigureAwait(false);
            return report.Passed ? 0 : 1;
        });
        return command;
    }

    private static (List<PoolConfiguration> Pools, List<PoolFinding> Unset) ReadPools(string target, IReadOnlyDictionary<string, string>? environment)
    {
        if (File.Exists(target))
        {
            List<KeyValuePair<string, string>> found;
            try
            {
                // Empty values too: an app whose connection string comes from the environment keeps an empty placeholder in the file.
                found = [.. AppSettingsConnectionStrings.Find(File.ReadAllText(target), includeEmpty: true)];
            }
            catch (JsonException e)
            {
                throw new CliException($"{target} is not valid JSON: {e.Message}", e);
            }

            // As the configuration binder does: ConnectionStrings__Main overrides ConnectionStrings:Main, and may add keys.
            var entries = found.Select(p => (Key: p.Key, Value: p.Value, Source: (string?)null)).ToList();
            if (environment is not null)
            {
                foreach (var (name, value) in environment)
                {
                    var key = name.Replace("__", ":", StringComparison.Ordinal);
                    if (!IsConnectionStringKey(key)) continue;
                    var i = entries.FindIndex(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase));
                    if (i >= 0) entries[i] = (entries[i].Key, value, name);
                    else entries.Add((key, value, name));
                }
            }

            if (entries.Count == 0) throw new CliException($"{target} has no ConnectionStrings section{(environment is null ? "" : " and no ConnectionStrings__* environment variable is set")}.");
            var pools = entries.Where(e => !string.IsNullOrWhiteSpace(e.Value))
                .Select(e => NpgsqlPoolConfigurationReader.Read(e.Source is null ? e.Key : $"{e.Key} (from {e.Source})", e.Value))
                .ToList();
            var unset = entries.Where(e => string.IsNullOrWhiteSpace(e.Value)).Select(e => new PoolFinding(
                PoolRules.ConnectionStringEmpty.Id, PoolRules.ConnectionStringEmpty.Severity, e.Key,
                $"{e.Key} is empty in {Path.GetFileName(target)}{(e.Source is null ? "" : $" and in {e.Source}")}: it is supplied at run time (environment variable {e.Key.Replace(":", "__", StringComparison.Ordinal)}), so its pool settings were not checked.",
                environment is null
                    ? $"Run `lifeguard check {Path.GetFileName(target)} --env` where {e.Key.Replace(":", "__", StringComparison.Ordinal)} is set as in the deployment, or check the deployed connection string itself."
                    : $"Set {e.Key.Replace(":", "__", StringComparison.Ordinal)} as the deployment does, or check the deployed connection string itself.")).ToList();
            return (pools, unset);
        }
        if (target.Contains('=', StringComparison.Ordinal))
        {
            return ([NpgsqlPoolConfigurationReader.Read("argument", target)], []);
        }
        throw new CliException($"'{target}' is neither an existing file nor a connection string (Key=Value;...).");
    }

    private static bool IsConnectionStringKey(string key)
    {
        var parts = key.Split(':');
        return parts.Length >= 2 && string.Equals(parts[^2], "ConnectionStrings", StringComparison.OrdinalIgnoreCase) && parts[^1].Length > 0;
    }

    private static Dictionary<string, string> ReadEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            if (e.Key is string k && e.Value is string v) result[k] = v;
        }

        return result;
    }

    private static CheckReport ToReport(string target, PoolCheckOptions options, ServerConnectionBudget? server, List<PoolConfiguration> pools, IReadOnlyList<PoolFinding> findings)
    {
        var names = PoolRules.All.ToDictionary(r => r.Id, r => r.Name, StringComparer.Ordinal);
        var errors = findings.Count(f => f.Severity == FindingSeverity.Error);
        // A connection string given on the command line is a secret: report only that it was one.
        var shownTarget = File.Exists(target) ? target : "(connection string)";
        return new CheckReport(
            "check", shownTarget, errors == 0, errors, findings.Count - errors,
            new CheckReportOptions(options.RequestBudget.TotalSeconds, options.Instances, options.ServerMaxConnections, options.ReservedConnections, options.OtherClientConnections, options.DatabaseCores),
            server,
            CheckReportPooler.From(options.Pooler),
            options.SessionStateUses?.Count,
            pools.Select(p => new CheckReportPool(p.Name, p.Server, p.Database, p.Pooling, p.MaximumPoolSize, p.MinimumPoolSize, p.AcquireTimeout.TotalSeconds, p.ConnectionLifetime.TotalSeconds, p.NoResetOnClose, p.MaxAutoPrepare, p.ProviderError)).ToList(),
            findings.Select(f => new CheckReportFinding(f.RuleId, names.GetValueOrDefault(f.RuleId, ""), f.Severity, f.Subject, f.Message, f.Fix)).ToList());
    }

    private static void Print(IAnsiConsole console, CheckReport report)
    {
        var pools = new Table().Title("Pools").AddColumns("Name", "Server", "Max", "Min", "Timeout", "Lifetime");
        foreach (var p in report.Pools)
        {
            pools.AddRow(Markup.Escape(p.Name), Markup.Escape(p.ProviderError is null ? $"{p.Server}/{p.Database}" : "(rejected)"),
                p.Pooling ? $"{p.MaximumPoolSize}" : "off", $"{p.MinimumPoolSize}", $"{p.TimeoutSeconds:0} s", $"{p.ConnectionLifetimeSeconds:0} s");
        }
        console.Write(pools);
        if (report.Pooler is { } pooler)
        {
            console.MarkupLine(Markup.Escape($"Pooler: {pooler.Kind} {pooler.Version ?? "(version unknown)"}, pool_mode {pooler.Mode}, max_client_conn {pooler.MaxClientConn}, pools {string.Join("+", pooler.PairPoolSizes)} (+{pooler.ReservePoolSize} reserve) = up to {pooler.MaximumServerConnections} server connections; from {pooler.Source}"));
        }
        if (report.Findings.Count > 0)
        {
            var table = new Table().Title("Findings").AddColumns("", "Rule", "Subject", "Problem", "Fix");
            foreach (var f in report.Findings)
            {
                table.AddRow(f.Severity == FindingSeverity.Error ? "[red]error[/]" : "[yellow]warning[/]", $"{f.RuleId} {f.Rule}",
                    Markup.Escape(f.Subject), Markup.Escape(f.Message), Markup.Escape(f.Fix));
            }
            console.Write(table);
        }
        console.MarkupLine(report.Passed
            ? $"[green]check passed[/]: {report.Pools.Count} connection string(s) checked, {report.Warnings} warning(s)"
            : $"[red]check failed[/]: {report.Errors} error(s), {report.Warnings} warning(s) in {report.Pools.Count} connection string(s)");
    }
}
