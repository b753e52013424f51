using System.Globalization;
using Lifeguard.Cli.Drill.Faults;
using Lifeguard.Diagnosis;
using Lifeguard.Diagnosis.Accuracy;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Lifeguard.Cli.Drill.Corpus;

/// <summary>
/// The corpus file (bench/corpus/corpus.yaml): defaults and scenarios, read strictly (an unknown key, fault, cause or
/// load shape is an error naming the scenario), then drawn: the order and every intensity given as a range come from
/// the seed, so one seed is one reproducible run.
/// </summary>
internal sealed class CorpusFile
{
    public CorpusDefaults Defaults { get; set; } = new();
    public List<CorpusEntry> Scenarios { get; set; } = [];

    public static CorpusFile Load(string path)
    {
        if (!File.Exists(path)) throw new CliException($"no corpus file {path}");
        var yaml = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        CorpusFile file;
        try
        {
            file = yaml.Deserialize<CorpusFile>(File.ReadAllText(path)) ?? throw new CliException($"{path} is empty");
        }
        catch (YamlException e)
        {
            var text = File.ReadAllText(path);
            throw new CliException($"{path}: {ScenarioAt(text, e.Start)}{e.Message}{(e.InnerException is { } inner ? " (" + inner.Message + ")" : "")}");
        }
        if (file.Scenarios.Count == 0) throw new CliException($"{path} has no scenarios");
        var duplicate = file.Scenarios.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new CliException($"{path}: scenario '{duplicate.Key}' appears twice");
        foreach (var s in file.Scenarios) s.Validate(file.Defaults);
        return file;
    }

    // The scenario an error in the text is in: the last "name:" before it (an unknown key names its scenario).
    private static string ScenarioAt(string text, Mark at)
    {
        var lines = text.Split('\n');
        if (at.Line < 1 || at.Line > lines.Length) return "";
        var before = string.Join('\n', lines.Take((int)at.Line - 1).Append(lines[at.Line - 1][..(int)Math.Min(Math.Max(0, at.Column - 1), lines[at.Line - 1].Length)]));
        var names = System.Text.RegularExpressions.Regex.Matches(before, @"\bname:\s*[""']?([A-Za-z0-9_-]+)");
        return names.Count == 0 ? "" : $"scenario '{names[^1].Groups[1].Value}': ";
    }

    /// <summary>The scenarios to run: those named in <paramref name="only"/> (all when empty), in the seed's order, each
    /// with its intensities drawn from the seed and its name (so --only draws the same values as a full run).</summary>
    public IReadOnlyList<CorpusScenario> Draw(int seed, IReadOnlyCollection<string> only)
    {
        var unknown = only.Where(o => Scenarios.All(s => s.Name != o)).ToList();
        if (unknown.Count > 0) throw new CliException($"--only: no scenario {string.Join(", ", unknown)} in the corpus");
        var chosen = Scenarios.Where(s => only.Count == 0 || only.Contains(s.Name)).ToList();
        var order = new Random(seed);
        return [.. chosen.Select(s => (s, key: order.Next())).OrderBy(x => x.key).Select(x => x.s.Draw(seed, Defaults))];
    }
}

/// <summary>What a scenario leaves out. Seconds and requests per second.</summary>
internal sealed class CorpusDefaults
{
    public int PoolSize { get; set; } = 10;
    public double Rate { get; set; } = 8;
    public double NormalS { get; set; } = 10;
    public double FaultS { get; set; } = 15;
    public double AfterS { get; set; } = 8;
}

/// <summary>One scenario as written. Intensities are a number or a range "a..b" (drawn from the seed).</summary>
internal sealed class CorpusEntry
{
    public string Name { get; set; } = "";
    /// <summary>One of <see cref="CorpusFaults.Kinds"/>; none for a control.</summary>
    public string Fault { get; set; } = CorpusFaults.None;
    public string? Intensity { get; set; }
    public CorpusSecondFault? Second { get; set; }
    /// <summary>A red herring beside the fault: one of <see cref="CorpusFaults.Herrings"/>.</summary>
    public string? Herring { get; set; }
    public string? HerringIntensity { get; set; }
    /// <summary>steady, surge (the fault phase at load_factor times the rate), shift (its second half so), busy (every phase so).</summary>
    public string Load { get; set; } = CorpusLoads.Steady;
    public string? LoadFactor { get; set; }
    public int? PoolSize { get; set; }
    /// <summary>A PgBouncer (transaction mode, its pool the site's pool size) in front of the site; the pooler faults imply it.</summary>
    public bool Pooler { get; set; }
    public double? Rate { get; set; }
    /// <summary>A control's fleet: this many website instances sharing the fleet's small server (the fleet fault's
    /// intensity says it for a fault).</summary>
    public int? Fleet { get; set; }
    /// <summary>The fleet's instances run with Lifeguard:Fleet:Governor on.</summary>
    public bool Governor { get; set; }
    public string? FaultS { get; set; }
    public List<string> Expect { get; set; } = [];
    public List<string>? Harmful { get; set; }
    public string Note { get; set; } = "";

    public void Validate(CorpusDefaults d)
    {
        string Where() => $"scenario '{Name}'";
        if (Name.Length == 0 || Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))) throw new CliException($"a scenario needs a name of letters, digits, - and _ (got '{Name}')");
        if (!CorpusFaults.Kinds.Contains(Fault)) throw new CliException($"{Where()}: fault '{Fault}' is not one of {string.Join(", ", CorpusFaults.Kinds)}");
        if (Second is not null && (!CorpusFaults.Kinds.Contains(Second.Fault) || Second.Fault == CorpusFaults.None)) throw new CliException($"{Where()}: second fault '{Second.Fault}' is not one of {string.Join(", ", CorpusFaults.Kinds.Where(k => k != CorpusFaults.None))}");
        if (Herring is not null && !CorpusFaults.Herrings.Contains(Herring)) throw new CliException($"{Where()}: herring '{Herring}' is not one of {string.Join(", ", CorpusFaults.Herrings)}");
        if (!CorpusLoads.All.Contains(Load)) throw new CliException($"{Where()}: load '{Load}' is not one of {string.Join(", ", CorpusLoads.All)}");
        if (Expect.Count == 0) throw new CliException($"{Where()}: expect lists no cause (a control expects healthy)");
        foreach (var c in Expect.Concat(Harmful ?? []))
            if (!DiagnosisCauses.TryParse(c, out _)) throw new CliException($"{Where()}: '{c}' is not a cause ({string.Join(", ", DiagnosisCauses.All)})");
        if (Fault == CorpusFaults.None && Second is not null) throw new CliException($"{Where()}: a second fault needs a first");
        _ = Range.Parse(Intensity, 1, Where() + " intensity");
        _ = Range.Parse(Second?.Intensity, 1, Where() + " second.intensity");
        _ = Range.Parse(HerringIntensity, 1, Where() + " herring_intensity");
        _ = Range.Parse(LoadFactor, 2, Where() + " load_factor");
        if (Range.Parse(FaultS, d.FaultS, Where() + " fault_s") is var (lo, hi) && (lo < 1 || hi > 300)) throw new CliException($"{Where()}: fault_s must be within 1..300 s");
        if (PoolSize is < 1 or > 100) throw new CliException($"{Where()}: pool_size must be within 1..100");
        if (Rate is <= 0 or > 200) throw new CliException($"{Where()}: rate must be within (0, 200] requests/s");
        ValidateFleet(Where());
    }

    // A fleet runs on a server of its own (the fleet drill's small cluster), several instances, no PgBouncer: only what
    // that topology can carry.
    private void ValidateFleet(string where)
    {
        var isFleet = Fault == CorpusFaults.Fleet;
        if (isFleet && Range.Parse(Intensity, CorpusFaults.DefaultIntensity(Fault), where + " intensity") is var (lo, hi) && (lo < CorpusFaults.FleetMinInstances || hi > CorpusFaults.FleetMaxInstances || lo != Math.Floor(lo) || hi != Math.Floor(hi)))
            throw new CliException($"{where}: a fleet's intensity is its number of instances, whole numbers within {CorpusFaults.FleetMinInstances}..{CorpusFaults.FleetMaxInstances} (got '{Intensity}')");
        if (Fleet is not null)
        {
            if (Fault != CorpusFaults.None) throw new CliException($"{where}: fleet: N is a control's fleet; a fault says its instances with fault: fleet and intensity");
            if (Fleet < CorpusFaults.FleetMinInstances || Fleet > CorpusFaults.FleetMaxInstances) throw new CliException($"{where}: fleet must be within {CorpusFaults.FleetMinInstances}..{CorpusFaults.FleetMaxInstances} instances");
            isFleet = true;
        }
        if (Governor && !isFleet) throw new CliException($"{where}: governor needs a fleet (fault: fleet, or fleet: N on a control)");
        if (!isFleet)
        {
            if (Second?.Fault == CorpusFaults.Fleet) throw new CliException($"{where}: fleet cannot be a second fault (a fleet scenario is fault: fleet)");
            return;
        }
        if (Pooler) throw new CliException($"{where}: a fleet scenario has no PgBouncer");
        if (Second is not null && !CorpusFaults.FleetSecondFaults.Contains(Second.Fault))
            throw new CliException($"{where}: a fleet scenario's second fault must be one of {string.Join(", ", CorpusFaults.FleetSecondFaults)} (got '{Second.Fault}')");
        if (Herring == CorpusFaults.HostNoise) throw new CliException($"{where}: a fleet scenario takes the herrings {string.Join(", ", CorpusFaults.Herrings.Where(h => h != CorpusFaults.HostNoise))}");
    }

    public CorpusScenario Draw(int seed, CorpusDefaults d)
    {
        // Per scenario and seed, whatever else runs: a stable hash of the name (string.GetHashCode differs per process).
        var random = new Random(unchecked(seed * 31 + Name.Aggregate(17, (h, c) => h * 31 + c)));
        double Pick(string? text, double fallback, string what) => Range.Parse(text, fallback, what) is var (lo, hi) ? Math.Round(lo + random.NextDouble() * (hi - lo), 1) : fallback;
        var fault = new CorpusFaultDraw(Fault, Pick(Intensity, CorpusFaults.DefaultIntensity(Fault), "intensity"));
        var second = Second is null ? null : new CorpusFaultDraw(Second.Fault, Pick(Second.Intensity, CorpusFaults.DefaultIntensity(Second.Fault), "second"));
        var herring = Herring is null ? null : new CorpusFaultDraw(Herring, Pick(HerringIntensity, 1, "herring"));
        var harmful = Harmful ?? [.. CorpusFaults.DefaultHarmful.Where(h => !Expect.Contains(h))];
        var pooler = Pooler || CorpusFaults.NeedsPooler(Fault) || Second is { } sf && CorpusFaults.NeedsPooler(sf.Fault);
        var instances = Fault == CorpusFaults.Fleet ? (int)Math.Round(fault.Intensity) : Fleet ?? 0;
        // A fleet's pools are each fine alone and oversubscribe the fleet's server together: the fleet drill's size by default.
        var pool = PoolSize ?? (instances > 0 ? CorpusFaults.FleetPoolSize : d.PoolSize);
        return new CorpusScenario(Name, fault, second, herring, Load, Pick(LoadFactor, 2, "load_factor"),
            pool, Rate ?? d.Rate, d.NormalS, Pick(FaultS, d.FaultS, "fault_s"), d.AfterS, Expect, harmful, Note) { Pooler = pooler, Instances = instances, Governor = Governor };
    }
}

/// <summary>A second fault injected with the first.</summary>
internal sealed class CorpusSecondFault
{
    public string Fault { get; set; } = "";
    public string? Intensity { get; set; }
}

/// <summary>Load shapes.</summary>
internal static class CorpusLoads
{
    public const string Steady = "steady";
    public const string Surge = "surge";
    public const string Shift = "shift";
    public const string Busy = "busy";
    public static IReadOnlyList<string> All { get; } = [Steady, Surge, Shift, Busy];
}

/// <summary>A number or an inclusive range "a..b".</summary>
internal static class Range
{
    public static (double Lo, double Hi)? Parse(string? text, double fallback, string what)
    {
        if (string.IsNullOrWhiteSpace(text)) return (fallback, fallback);
        var parts = text.Split("..", StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 2 || !parts.All(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0))
            throw new CliException($"{what}: '{text}' is not a number or a range a..b of non-negative numbers");
        var lo = double.Parse(parts[0], CultureInfo.InvariantCulture);
        var hi = double.Parse(parts[^1], CultureInfo.InvariantCulture);
        if (hi < lo) throw new CliException($"{what}: the range '{text}' ends below its start");
        return (lo, hi);
    }
}

/// <summary>A fault (or herring) with its drawn intensity.</summary>
internal sealed record CorpusFaultDraw(string Kind, double Intensity);

/// <summary>A scenario ready to run: every value drawn.</summary>
internal sealed record CorpusScenario(
    string Name, CorpusFaultDraw Fault, CorpusFaultDraw? Second, CorpusFaultDraw? Herring, string Load, double LoadFactor,
    int PoolSize, double Rate, double NormalS, double FaultS, double AfterS, IReadOnlyList<string> Expect, IReadOnlyList<string> Harmful, string Note)
{
    public bool IsControl => Fault.Kind == CorpusFaults.None;

    /// <summary>Whether the site connects through a PgBouncer.</summary>
    public bool Pooler { get; init; }

    /// <summary>Website instances of a fleet on the fleet's own server (0: one site on the corpus's server); the trace is the first's.</summary>
    public int Instances { get; init; }

    /// <summary>The fleet's instances run with the governor on.</summary>
    public bool Governor { get; init; }

    /// <summary>The header of this scenario's trace, recorded now with <paramref name="seed"/>.</summary>
    public CorpusTraceHeader TraceHeader(int seed) => new()
    {
        Scenario = Name,
        Kind = IsControl ? CorpusKinds.Control : CorpusKinds.Fault,
        Description = Description,
        Accept = Expect,
        Harmful = Harmful,
        Seed = seed,
        RecordedAt = DateTimeOffset.UtcNow,
    };

    public bool IsFleet => Instances > 0;

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"{(IsControl ? "control" : IsFleet ? $"fleet of {Instances} instances" : $"{Fault.Kind} at {Fault.Intensity:0.#}")}{(Second is null ? "" : $" + {Second.Kind} at {Second.Intensity:0.#}")}{(Herring is null ? "" : $", herring {Herring.Kind} at {Herring.Intensity:0.#}")}; load {Load}{(Load == CorpusLoads.Steady ? "" : $" x{LoadFactor:0.#}")} at {Rate:0.#} req/s, pool {PoolSize}{(Pooler ? $" through PgBouncer (pool {PoolSize})" : "")}{(IsFleet ? $" on each of {Instances} instances sharing the fleet's server{(Governor ? ", the fleet governor on" : "")} (the trace: fleet-1)" : "")}, fault {FaultS:0.#} s{(Note.Length == 0 ? "" : "; " + Note)}");
}
