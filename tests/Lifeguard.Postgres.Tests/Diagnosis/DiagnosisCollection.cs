namespace Lifeguard.Postgres.Tests.Diagnosis;

/// <summary>Fault-injection tests run one at a time: each judges the whole server, and a lock or a burning CPU of one
/// would be another's fault.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DiagnosisCollection
{
    public const string Name = "Diagnosis";
}
