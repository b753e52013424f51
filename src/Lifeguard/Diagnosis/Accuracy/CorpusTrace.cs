using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Lifeguard.Contracts;

namespace Lifeguard.Diagnosis.Accuracy;

/// <summary>
/// One corpus scenario as it ran: what was injected and which answers are right or harmful (the header, first line),
/// then every second the drill read the site's diagnosis, with the signals it was judged on. Stored as gzipped JSON
/// lines (snake_case, the contracts' options) so the rules can be re-scored later without a server.
/// </summary>
internal sealed record CorpusTrace(CorpusTraceHeader Header, IReadOnlyList<CorpusTraceSecond> Seconds)
{
    /// <summary>The file name a scenario's trace is saved under.</summary>
    public static string FileName(string scenario) => scenario + ".jsonl.gz";

    public static async Task WriteAsync(string path, CorpusTrace trace, CancellationToken ct)
    {
        await using var file = File.Create(path);
        await using var gz = new GZipStream(file, CompressionLevel.SmallestSize);
        await using var writer = new StreamWriter(gz, new UTF8Encoding(false));
        await writer.WriteLineAsync(JsonSerializer.Serialize(trace.Header, ContractJson.Options).AsMemory(), ct).ConfigureAwait(false);
        foreach (var s in trace.Seconds)
            await writer.WriteLineAsync(JsonSerializer.Serialize(s, ContractJson.Options).AsMemory(), ct).ConfigureAwait(false);
    }

    public static CorpusTrace Read(string path)
    {
        using var file = File.OpenRead(path);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gz, Encoding.UTF8);
        var header = reader.ReadLine() is { Length: > 0 } first
            ? JsonSerializer.Deserialize<CorpusTraceHeader>(first, ContractJson.Options) ?? throw new InvalidDataException($"{path}: empty header")
            : throw new InvalidDataException($"{path}: no header line");
        var seconds = new List<CorpusTraceSecond>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            seconds.Add(JsonSerializer.Deserialize<CorpusTraceSecond>(line, ContractJson.Options) ?? throw new InvalidDataException($"{path}: an empty second"));
        }
        return new CorpusTrace(header, seconds);
    }

    /// <summary>Every trace in <paramref name="directory"/> and its subdirectories (one per recorded run, e.g. seed-2/),
    /// by scenario name. A scenario recorded in several runs is named with its seed (<c>cpu-severe@2</c>) so each run's
    /// answer is scored and baselined on its own; two traces of one scenario and seed are an error.</summary>
    public static IReadOnlyList<CorpusTrace> ReadAll(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"no trace directory {directory}");
        var traces = Directory.GetFiles(directory, "*.jsonl.gz", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(Read).ToList();
        if (traces.Count == 0) throw new InvalidDataException($"{directory} holds no *.jsonl.gz trace");
        var named = new List<CorpusTrace>(traces.Count);
        foreach (var runs in traces.GroupBy(t => t.Header.Scenario, StringComparer.Ordinal))
        {
            var list = runs.ToList();
            if (list.Count == 1)
            {
                named.Add(list[0]);
                continue;
            }
            var seeds = list.GroupBy(t => t.Header.Seed).FirstOrDefault(g => g.Count() > 1);
            if (seeds is not null) throw new InvalidDataException($"{directory}: {runs.Key} recorded twice with seed {seeds.Key}");
            named.AddRange(list.Select(t => t with { Header = t.Header with { Scenario = $"{t.Header.Scenario}@{t.Header.Seed}" } }));
        }
        return [.. named.OrderBy(t => t.Header.Scenario, StringComparer.Ordinal)];
    }
}

/// <summary>What a corpus scenario injected and how its answers are judged.</summary>
internal sealed record CorpusTraceHeader
{
    public required string Scenario { get; init; }
    /// <summary>fault (a cause to name) or control (nothing to name: the site must read healthy).</summary>
    public required string Kind { get; init; }
    /// <summary>What was done, in words (fault, intensity, second fault, red herring, load shape).</summary>
    public string Description { get; init; } = "";
    /// <summary>Causes that are a right answer; the first is the one the confusion matrix files the scenario under.</summary>
    public required IReadOnlyList<string> Accept { get; init; }
    /// <summary>Causes whose remedy makes things worse here (growing the pool, ending a session that is not the root).</summary>
    public IReadOnlyList<string> Harmful { get; init; } = [];
    public int Seed { get; init; }
    public DateTimeOffset RecordedAt { get; init; }

    public bool IsControl => Kind == CorpusKinds.Control;
}

/// <summary>The two kinds of scenario.</summary>
internal static class CorpusKinds
{
    public const string Fault = "fault";
    public const string Control = "control";
}

/// <summary>One second of a corpus trace: the phase, what the live site said, and the signals it judged.</summary>
internal sealed record CorpusTraceSecond
{
    /// <summary>Seconds since the scenario's first phase began.</summary>
    public double T { get; init; }
    /// <summary>normal (before), fault (the fault or, in a control, the busy or red-herring window), after (removed).</summary>
    public required string Phase { get; init; }
    public string? LiveCause { get; init; }
    public double LiveConfidence { get; init; }
    public DiagnosisSample? Signals { get; init; }
}

/// <summary>The phases of a corpus scenario.</summary>
internal static class CorpusPhases
{
    public const string Normal = "normal";
    public const string Fault = "fault";
    public const string After = "after";
}
