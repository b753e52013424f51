namespace Kit.Tests;

/// <summary>Tests that redirect the process's Console run one at a time.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;
