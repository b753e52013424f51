namespace Website.Tests.Integration;

/// <summary>Tests that measure durations run alone, after the others: parallel test classes would be their noise.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
