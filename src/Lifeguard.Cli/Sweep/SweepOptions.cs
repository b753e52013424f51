namespace Lifeguard.Cli.Sweep;

/// <summary>How a sweep runs: which pool sizes, under which fixed open-loop load, for how long each.</summary>
internal sealed record SweepOptions
{
    /// <summary>Maximum Pool Size values to measure; HikariCP's rule and Npgsql's default are added when missing.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [2, 3, 4, 5, 6, 8, 10, 12, 16, 32, 100];
    /// <summary>The one fixed open-loop arrival rate every size is driven with (requests/s).</summary>
    public double Rate { get; init; } = 80;
    /// <summary>Times every size is measured, in interleaved rounds over all sizes; rows report medians.</summary>
    public int Rounds { get; init; } = 1;
    /// <summary>Measured time per size.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>Load before each measurement that is not recorded (JIT, the pool's first connections).</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan NetworkDelay { get; init; } = TimeSpan.FromMilliseconds(4);
    /// <summary>The site's acquire Timeout at every size: a saturated pool fails requests after this instead of queueing for 15 s.</summary>
    public int PoolTimeoutSeconds { get; init; } = 5;
    public int Users { get; init; } = 32;
    public int PgPort { get; init; } = 54329;
    public string? PgDataDir { get; init; }
    public double SeedScale { get; init; } = 0.05;
    /// <summary>Database cores (the database shares this host, so this machine's by default).</summary>
    public int DatabaseCores { get; init; } = Environment.ProcessorCount;
    /// <summary>The advisor's wait goal (p99 wait for a connection).</summary>
    public TimeSpan WaitGoal { get; init; } = TimeSpan.FromMilliseconds(50);
    /// <summary>"Within 10%": how close to the best p99 and throughput a size must be to count as good as the best.</summary>
    public double Tolerance { get; init; } = 0.10;
    public string? OutputDirectory { get; init; }

    /// <summary>Returns the problems with these options, empty when they are usable (keeps every sweep bounded in time).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Sizes.Count is < 2 or > 24) problems.Add("--sizes needs 2 to 24 pool sizes.");
        if (Sizes.Any(s => s is < 1 or > 1000)) problems.Add("--sizes must be between 1 and 1000.");
        if (Rounds is < 1 or > 5) problems.Add("--rounds must be between 1 and 5.");
        if (Rate is <= 0 or > 2000) problems.Add("--rate must be above 0 and at most 2000 requests/s.");
        if (Duration < TimeSpan.FromSeconds(2) || Duration > TimeSpan.FromMinutes(5)) problems.Add("--duration must be between 2 s and 5 min per size.");
        if (WarmUp < TimeSpan.Zero || WarmUp > TimeSpan.FromMinutes(1)) problems.Add("--warm-up must be between 0 and 1 min.");
        if (NetworkDelay < TimeSpan.Zero || NetworkDelay > TimeSpan.FromMilliseconds(200)) problems.Add("--network-delay must be between 0 and 200 ms.");
        if (Users is < 1 or > 1000) problems.Add("--users must be between 1 and 1000.");
        if (PoolTimeoutSeconds is < 1 or > 60) problems.Add("--pool-timeout must be between 1 and 60 s.");
        if (WaitGoal < TimeSpan.Zero || WaitGoal > TimeSpan.FromSeconds(10)) problems.Add("--wait-goal must be between 0 and 10 s.");
        if (DatabaseCores < 1) problems.Add("--db-cores must be at least 1.");
        return problems;
    }
}
