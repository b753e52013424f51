namespace Lifeguard.Cli.Tests.Drill;

/// <summary>The drills share one PostgreSQL (the restart fault stops it) and measure latency: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DrillCollection
{
    public const string Name = "Drill";
}
