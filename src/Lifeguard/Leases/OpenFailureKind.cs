namespace Lifeguard.Leases;

/// <summary>Why an open failed, as far as the guard can tell from the provider's exception.</summary>
internal enum OpenFailureKind
{
    /// <summary>The caller cancelled; not the pool's fault.</summary>
    Cancelled,
    /// <summary>The pool had no free connection within the provider's Timeout.</summary>
    PoolTimeout,
    /// <summary>Anything else: authentication, network, server down.</summary>
    ConnectionError,
}
