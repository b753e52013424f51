namespace Lifeguard.Cli.Load;

/// <summary>What one `lifeguard load` run does: whom it logs in as, how it paces requests, how long.</summary>
internal sealed record LoadOptions
{
    public Uri BaseUrl { get; init; } = new("http://127.0.0.1:5080");

    /// <summary>Several sites (a fleet: ./run.sh --instances N) to load round robin; empty means <see cref="BaseUrl"/> alone.</summary>
    public IReadOnlyList<Uri> Urls { get; init; } = [];

    /// <summary>The sites the load goes to, in order: <see cref="Urls"/>, or <see cref="BaseUrl"/> when none are given.</summary>
    public IReadOnlyList<Uri> Targets => Urls.Count > 0 ? Urls : [BaseUrl];

    /// <summary>Logged-in users (sessions). Closed loop: one worker each. Open loop: requests rotate over them.</summary>
    public int Users { get; init; } = 32;

    /// <summary>Open-loop arrival rate in requests per second; null means closed loop.</summary>
    public double? Rate { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Closed loop: pause between a user's requests.</summary>
    public TimeSpan ThinkTime { get; init; } = TimeSpan.Zero;

    /// <summary>Client-side limit per request; a longer wait counts as a timeout error.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string Path { get; init; } = "/dashboard";

    /// <summary>Email of the i-th seeded user ({0} is replaced by 1..Users, zero-padded to 5 digits).</summary>
    public string EmailPattern { get; init; } = "user{0:00000}@lifeguard.local";

    public string Password { get; init; } = "Demo-Password-1";

    /// <summary>First user number, so two load runs can log in disjoint users.</summary>
    public int FirstUser { get; init; } = 1;

    /// <summary>Open loop: cap on requests in flight, so an overloaded site cannot exhaust this process.</summary>
    public int MaxInFlight { get; init; } = 4000;

    /// <summary>Latency objective: the summary reports the share of requests slower than this.</summary>
    public TimeSpan Slo { get; init; } = TimeSpan.FromSeconds(1);

    public bool IsOpenLoop => Rate is not null;

    /// <summary>The most sites one run loads (./run.sh starts at most 8).</summary>
    public const int MaxUrls = 16;

    /// <summary>Returns the problems with these options, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        foreach (var url in Targets.Where(u => !LoopbackTarget.IsLoopback(u)))
        {
            problems.Add($"--url {url} is not a loopback address: load is only ever sent to 127.0.0.1, ::1 or localhost.");
        }

        if (Targets.Count > MaxUrls) problems.Add($"--url: at most {MaxUrls} sites.");
        if (Targets.Distinct().Count() != Targets.Count) problems.Add("--url: the same site is given twice.");
        // every site needs at least one logged-in user of its own
        if (Targets.Count > 1 && Users < Targets.Count) problems.Add($"--users must be at least the number of --url sites ({Targets.Count}).");

        if (Users is < 1 or > 10_000) problems.Add("--users must be between 1 and 10000.");
        if (Rate is { } r && (r <= 0 || r > 100_000)) problems.Add("--rate must be above 0 and at most 100000 requests/s.");
        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromHours(1)) problems.Add("--duration must be above 0 and at most 1h.");
        if (ThinkTime < TimeSpan.Zero) problems.Add("--think must not be negative.");
        if (RequestTimeout <= TimeSpan.Zero) problems.Add("--timeout must be above 0.");
        if (!Path.StartsWith('/')) problems.Add("--path must start with '/'.");
        return problems;
    }
}
