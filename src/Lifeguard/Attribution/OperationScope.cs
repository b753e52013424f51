namespace Lifeguard.Attribution;

/// <summary>Restores the previous ambient operation name when disposed.</summary>
public readonly struct OperationScope : IDisposable, IEquatable<OperationScope>
{
    private readonly object? _previous;

    internal OperationScope(object? previous) => _previous = previous;

    /// <inheritdoc />
    public void Dispose() => LifeguardOperation.Restore(_previous);

    /// <inheritdoc />
    public bool Equals(OperationScope other) => ReferenceEquals(_previous, other._previous);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is OperationScope other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _previous?.GetHashCode() ?? 0;

    /// <summary>Value equality.</summary>
    public static bool operator ==(OperationScope left, OperationScope right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(OperationScope left, OperationScope right) => !left.Equals(right);
}
