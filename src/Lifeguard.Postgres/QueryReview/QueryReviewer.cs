using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// Reviews the statements that hold connections longest: ranks pg_stat_statements by total time, plans each one above the
/// thresholds (generic plan, plus EXPLAIN ANALYZE where safe), applies the plan rules, advises indexes proven with HypoPG
/// (optionally measured on a database you name), and lists unused and duplicate indexes. Everything runs on one physical
/// connection, because prepared statements and hypothetical indexes exist only in the session that made them.
/// </summary>
public sealed class QueryReviewer
{
    private readonly QueryReviewOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Validates <paramref name="options"/> (DataAnnotations) up front, so a bad threshold fails before anything connects.</summary>
    public QueryReviewer(QueryReviewOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        _options = options;
        _time = time;
    }

    /// <summary>Reviews the database <paramref name="connectionString"/> points at; <paramref name="progress"/> hears one
    /// line per step. Needs pg_stat_statements; HypoPG is optional.</summary>
    public async Task<QueryReviewReport> ReviewAsync(string connectionString, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var clock = Stopwatch.StartNew();
        await using var connection = await OpenAsync(connectionString, ct).ConfigureAwait(false);
        var all = await StatementStatsReader.ReadAsync(connection, 1000, ct).ConfigureAwait(false);
        var seen = all.Where(s => StatementSource.IsReviewable(s.Query)).ToList();
        var (selected, skipped, below) = ReviewSelection.Select(seen, _options);
        progress?.Report($"{seen.Count} statements in pg_stat_statements, {selected.Count} to review ({ThresholdText(_options)})");

        var catalog = await DatabaseCatalog.ReadAsync(connection, ct).ConfigureAwait(false);
        var hypopg = await HypotheticalIndexes.IsAvailableAsync(connection, ct).ConfigureAwait(false);
        var notes = new List<string>();
        var hidden = all.Count(s => s.Query == "<insufficient privilege>");
        if (hidden > 0) notes.Add($"{hidden} statement(s) of other roles are hidden from this role: grant it pg_read_all_stats (or pg_monitor) to review them.");
        // Otherwise "20 reviewed, 0 under the thresholds" of 28 seen hides the 8 the --top cut.
        var cut = seen.Count - below - selected.Count;
        if (cut > 0) notes.Add($"{cut} more statement(s) above the thresholds were not reviewed (top {_options.Top} by total time only).");
        if (!hypopg) notes.Add("HypoPG is not installed in this database (CREATE EXTENSION hypopg): no index advice was made.");

        var capture = new PlanCapture(connection);
        var reviews = new List<StatementReview>();
        for (var i = 0; i < selected.Count; i++)
        {
            progress?.Report($"[{i + 1}/{selected.Count}] {Shorten(selected[i].Query)}");
            reviews.Add(await ReviewStatementAsync(connection, capture, catalog, hypopg, selected[i], ct).ConfigureAwait(false));
        }

        if (_options.VerifyConnectionString is { } verify && reviews.Any(r => r.IndexAdvice.Count > 0))
        {
            progress?.Report("verifying advised indexes on the --verify database (built in a transaction, rolled back)...");
            reviews = await IndexVerifier.VerifyAsync(verify, reviews, _options, progress, ct).ConfigureAwait(false);
        }

        var version = connection.PostgreSqlVersion.ToString();
        return new QueryReviewReport
        {
            Database = connection.Database,
            ServerVersion = version,
            ReviewedAt = _time.GetUtcNow(),
            HypopgAvailable = hypopg,
            StatementsSeen = seen.Count,
            BelowThresholds = below,
            Skipped = skipped,
            Statements = reviews,
            UnusedIndexes = IndexHealth.Unused(catalog.Indexes, _options.UnusedIndexMinBytes, catalog.StatsReset, _time.GetUtcNow()),
            DuplicateIndexes = IndexHealth.Duplicates(catalog.Indexes),
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
            Notes = notes,
        };
    }

    /// <summary>The selection rule in words: "calls >= 5 and (total >= 1000 ms or mean >= 20 ms)".</summary>
    public static string ThresholdText(QueryReviewOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(CultureInfo.InvariantCulture, $"calls >= {options.MinCalls} and (total >= {options.MinTotalMs:0.#} ms or mean >= {options.MinMeanMs:0.##} ms)");
    }

    /// <summary>Generic plans of <paramref name="queries"/> (normalized text) for the baseline gate: cost and sequential scans on large tables.</summary>
    public async Task<IReadOnlyList<PlanSnapshot>> PlanAsync(string connectionString, IEnumerable<string> queries, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        await using var connection = await OpenAsync(connectionString, ct).ConfigureAwait(false);
        var catalog = await DatabaseCatalog.ReadAsync(connection, ct).ConfigureAwait(false);
        var facts = catalog.Facts(_options.LargeTableRows);
        var capture = new PlanCapture(connection);
        var result = new List<PlanSnapshot>();
        foreach (var q in queries)
        {
            try
            {
                var prepared = await capture.PrepareAsync(q, ct).ConfigureAwait(false);
                try
                {
                    var plan = await capture.GenericPlanAsync(prepared, ct).ConfigureAwait(false);
                    result.Add(new PlanSnapshot(null, q, plan.TotalCost, SeqScansOnLargeTables(plan, facts)));
                }
                finally
                {
                    await capture.DeallocateAsync(prepared, ct).ConfigureAwait(false);
                }
            }
            catch (PostgresException e)
            {
                result.Add(new PlanSnapshot(null, q, null, [], $"{e.SqlState} {e.MessageText}"));
            }
            catch (QueryReviewException e)
            {
                result.Add(new PlanSnapshot(null, q, null, [], e.Message));
            }
        }

        return result;
    }

    private static List<string> SeqScansOnLargeTables(ExplainPlan plan, PlanFacts facts) =>
        plan.Nodes.Where(n => n.NodeType == "Seq Scan" && facts.IsLarge(n.RelationName)).Select(n => n.RelationName!).Distinct().ToList();

    /// <summary>One physical connection, outside any pool: a pool could hand a later command to another backend.</summary>
    internal static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "lifeguard review", Multiplexing = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        return connection;
    }

    private async Task<StatementReview> ReviewStatementAsync(NpgsqlConnection connection, PlanCapture capture, DatabaseCatalog catalog, bool hypopg, StatementStats s, CancellationToken ct)
    {
        var notes = new List<string>();
        var review = new StatementReview
        {
            QueryId = s.QueryId,
            Query = s.Query,
            Source = StatementSource.Tag(s.Query),
            Calls = s.Calls,
            MeanMs = s.MeanMs,
            TotalMs = s.TotalMs,
            Rows = s.Rows,
            SharedBlksHit = s.SharedBlksHit,
            SharedBlksRead = s.SharedBlksRead,
            PlanKind = PlanKind.None,
        };

        PreparedStatement prepared;
        try
        {
            prepared = await capture.PrepareAsync(s.Query, ct).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            return review with { Notes = [$"cannot PREPARE the normalized text: {e.SqlState} {e.MessageText}"] };
        }
        catch (QueryReviewException e)
        {
            return review with { Notes = [e.Message] };
        }

        try
        {
            ExplainPlan generic;
            try
            {
                generic = await capture.GenericPlanAsync(prepared, ct).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                return review with { Notes = [$"no generic plan: {e.SqlState} {e.MessageText}"] };
            }

            var facts = catalog.Facts(_options.LargeTableRows);
            var predicates = PlanPredicates.Extract(generic, catalog.ColumnsOf);
            ExplainPlan? analyzed = null;
            if (_options.Analyze && StatementSource.IsReadOnly(s.Query))
            {
                try
                {
                    var values = await RepresentativeValues.ChooseAsync(connection, prepared, predicates, catalog, ct).ConfigureAwait(false);
                    analyzed = await capture.AnalyzedPlanAsync(prepared, values, _options.StatementTimeout, ct).ConfigureAwait(false);
                }
                catch (PostgresException e)
                {
                    notes.Add(e.SqlState == PostgresErrorCodes.QueryCanceled
                        ? $"EXPLAIN ANALYZE stopped at statement_timeout ({_options.StatementTimeout.TotalSeconds:0.#} s): the findings rest on the generic plan."
                        : $"EXPLAIN ANALYZE failed ({e.SqlState} {e.MessageText}): the findings rest on the generic plan.");
                }
            }
            else if (_options.Analyze)
            {
                notes.Add("not a read-only query: planned only, never executed.");
            }

            var plan = analyzed ?? generic;
            var findings = PlanRules.Evaluate(plan, facts);
            var advice = new List<IndexAdvice>();
            if (hypopg && generic.TotalCost >= _options.MinCostForAdvice)
            {
                var (best, note) = await BestIndexAsync(capture, catalog, s.Query, generic, predicates, connection, ct).ConfigureAwait(false);
                if (best is not null) advice.Add(best);
                if (note is not null) notes.Add(note);
            }

            return review with
            {
                PlanKind = analyzed is null ? PlanKind.Generic : PlanKind.Analyzed,
                PlanCost = generic.TotalCost,
                AnalyzedMs = analyzed?.ExecutionMs,
                SeqScans = SeqScansOnLargeTables(generic, facts),
                Findings = findings,
                IndexAdvice = advice,
                Notes = notes,
            };
        }
        finally
        {
            await capture.DeallocateAsync(prepared, ct).ConfigureAwait(false);
        }
    }

    private async Task<(IndexAdvice? Advice, string? Note)> BestIndexAsync(PlanCapture capture, DatabaseCatalog catalog, string query, ExplainPlan generic, IReadOnlyList<ColumnPredicate> predicates, NpgsqlConnection connection, CancellationToken ct)
    {
        var candidates = IndexCandidates.From(predicates, catalog.Indexes, catalog.SchemaOf);
        if (candidates.Count == 0) return (null, null);
        var hypo = new HypotheticalIndexes(connection, capture);
        (IndexCandidate Candidate, double Cost)? best = null;
        foreach (var c in candidates)
        {
            var (cost, used) = await hypo.CostWithAsync(query, c, ct).ConfigureAwait(false);
            if (!used) continue;
            // Within 1% a shorter index wins: it is cheaper to keep and serves more statements.
            if (best is null || cost < best.Value.Cost * 0.99 || (cost <= best.Value.Cost * 1.01 && c.Columns.Count < best.Value.Candidate.Columns.Count))
            {
                best = (c, cost);
            }
        }

        if (best is null) return (null, $"{candidates.Count} candidate index(es) tried with HypoPG; the planner used none.");
        var (candidate, after) = best.Value;
        if (after > generic.TotalCost * (1 - _options.MinCostDrop))
        {
            return (null, string.Create(CultureInfo.InvariantCulture,
                $"best hypothetical index {candidate.Table} ({string.Join(", ", candidate.Columns)}) only takes the cost from {generic.TotalCost:0.##} to {after:0.##}: under the {_options.MinCostDrop:P0} drop required, not advised."));
        }

        return (new IndexAdvice(candidate.Table, candidate.Columns, candidate.Ddl, generic.TotalCost, after, IndexValidation.Hypopg, null, null, null, null), null);
    }

    private static string Shorten(string query)
    {
        var one = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return one.Length <= 100 ? one : one[..97] + "...";
    }
}
