using System.Text.Json;
using Lifeguard.Postgres.QueryReview;

namespace Lifeguard.Cli.Review;

/// <summary>Reads the statements of an earlier `lifeguard review --json` file for the --baseline gate.</summary>
internal static class BaselineFile
{
    public static List<PlanSnapshot> Read(string path)
    {
        if (!File.Exists(path)) throw new CliException($"--baseline: {path} does not exist (write one with `lifeguard review --json {path}`).");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("statements", out var statements) || statements.ValueKind != JsonValueKind.Array)
            {
                throw new CliException($"--baseline: {path} has no \"statements\" array; is it a `lifeguard review --json` file?");
            }

            var result = new List<PlanSnapshot>();
            foreach (var s in statements.EnumerateArray())
            {
                // A hand-edited or foreign file: every field is checked for its kind, so a wrong one is an error, not a crash.
                if (s.ValueKind != JsonValueKind.Object || !s.TryGetProperty("query", out var q) || q.ValueKind != JsonValueKind.String)
                {
                    throw new CliException($"--baseline: {path}: statement {result.Count + 1} has no \"query\" text; is it a `lifeguard review --json` file?");
                }
                if (q.GetString() is not { Length: > 0 } query) continue;
                long? id = s.TryGetProperty("queryid", out var qid) && qid.ValueKind == JsonValueKind.Number && qid.TryGetInt64(out var n) ? n : null;
                double? cost = s.TryGetProperty("plan_cost", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : null;
                var scans = s.TryGetProperty("seq_scans", out var ss) && ss.ValueKind == JsonValueKind.Array
                    ? ss.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).Where(x => x.Length > 0).ToList()
                    : [];
                result.Add(new PlanSnapshot(id, query, cost, scans));
            }

            // A review of a healthy database under PgHero's thresholds reviews nothing, and a gate on that file would
            // pass forever, a dropped index included.
            if (!result.Any(p => p.PlanCost is not null))
            {
                throw new CliException($"--baseline: {path} holds no planned statement, so the gate would check nothing; write it with " +
                    $"`lifeguard review --min-calls 1 --min-mean-ms 0 --json {path}` to record every statement's plan.");
            }

            return result;
        }
        catch (JsonException e)
        {
            throw new CliException($"--baseline: {path} is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--baseline: cannot read {path}: {e.Message}", e);
        }
    }
}
