namespace Lifeguard.Configuration;

/// <summary>Session state a transaction-mode pooler does not carry from one transaction to the next.</summary>
public enum SessionStateKind
{
    /// <summary>SET (not SET LOCAL): the setting stays on a server connection other clients get next.</summary>
    SessionSet,

    /// <summary>pg_advisory_lock and friends (not the _xact_ forms): the lock stays on a server connection the client may never see again.</summary>
    AdvisoryLock,

    /// <summary>LISTEN: notifications arrive on a server connection the client no longer has.</summary>
    Listen,

    /// <summary>CREATE TEMP TABLE without ON COMMIT DROP: the table is gone (or someone else's) in the next transaction.</summary>
    TemporaryTable,

    /// <summary>An explicit Prepare()/PREPARE: the statement exists on one server connection only.</summary>
    ExplicitPrepare,
}
