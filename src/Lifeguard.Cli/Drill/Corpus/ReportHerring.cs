using Npgsql;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>
/// A red herring: a nightly report's CPU-heavy aggregate, in a loop, over a table the website never reads
/// (<see cref="Table"/>, made once). It is busy on the database, but not what slows the site's pages (with few sessions,
/// it is not even enough to saturate the cores).
/// </summary>
internal sealed class ReportHerring(string connectionString, int sessions) : IFaultInjector
{
    public const string Application = "nightly-report";
    public const string Table = "corpus_report_facts";
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public string Description => $"{sessions} session(s) of '{Application}' aggregating {Table} in a loop (a table the site never reads)";

    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = Application, CommandTimeout = 0 }.ConnectionString;
        await EnsureTableAsync(cs, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < sessions; i++) _loops.Add(LoopAsync(cs));
    }

    internal static async Task EnsureTableAsync(string cs, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(
            $"CREATE TABLE IF NOT EXISTS {Table} (id int PRIMARY KEY, v float8 NOT NULL);" +
            $"INSERT INTO {Table} SELECT g, random() * 1000 FROM generate_series(1, 300000) g ON CONFLICT DO NOTHING;", c) { CommandTimeout = 120 };
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private async Task LoopAsync(string cs)
    {
        try
        {
            await using var c = new NpgsqlConnection(cs);
            await c.OpenAsync(_stop.Token).ConfigureAwait(false);
            while (!_stop.IsCancellationRequested)
            {
                await using var cmd = new NpgsqlCommand($"/* nightly report */ SELECT sum(sqrt(v) * ln(v + 1)), percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM {Table}", c);
                await cmd.ExecuteScalarAsync(_stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _stop.Dispose();
    }
}
