using System.Data.Common;
using System.Diagnostics;

namespace Lifeguard.Leases;

internal sealed partial class LeaseTracker
{
    /// <summary>As <see cref="Begin"/>, for a connection its owner reopens (EF Core's): the lease unsubscribes when it
    /// ends, so handlers do not pile up on the one connection object across its many opens.</summary>
    public void BeginReopenable(DbConnection connection, long waitStartedAt, string? operation, StackTrace? stack, bool gated = false)
    {
        var now = Now();
        var waited = Elapsed(waitStartedAt, now);
        _recentWait.Record(waited, now);
        _waitTotal.Record(waited);
        Metrics.RecordWait(waited);
        Start(connection, now, operation, stack, unsubscribe: true, gated: gated);
    }
}
