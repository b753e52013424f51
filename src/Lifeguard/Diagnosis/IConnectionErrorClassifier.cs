namespace Lifeguard.Diagnosis;

/// <summary>Classifies a provider's exception from its typed error (e.g. PostgreSQL's SQLSTATE), so the provider-neutral
/// core never reads message text. Implemented by the provider's edge (Lifeguard.Postgres).</summary>
public interface IConnectionErrorClassifier
{
    /// <summary>The kind of <paramref name="exception"/>; null when this classifier does not recognise it.</summary>
    ConnectionErrorKind? Classify(Exception exception);
}
