using System.Data;
using System.Data.Common;
using System.Diagnostics;
using Lifeguard.Leaks;

namespace Lifeguard.Leases;

/// <summary>One borrowing of a connection. Carries its own StateChange handler so that, with leak detection off,
/// leases are recycled and a lease costs no allocation once the recycling pool is warm.</summary>
internal sealed class Lease
{
    public Lease(LeaseTracker tracker)
    {
        Tracker = tracker;
        Handler = OnStateChange;
    }

    public LeaseTracker Tracker { get; }

    public StateChangeEventHandler Handler { get; }

    public DbConnection? Connection;
    public long Id;
    public long StartedAt;
    public string? Operation;
    public StackTrace? Stack;
    public ITimer? LeakTimer;
    public LeakReport? Leak;
    public bool Ended;
    public bool Unsubscribe;
    // Took a place in the fleet governor's gate, given back when the lease ends.
    public bool Gated;

    // Subscribed by the guard after a successful open: the provider raises Closed from Close/Dispose. A lease the guard
    // opened stays subscribed after it ends (saves an unsubscribe per lease): the connection object is normally dead
    // then, and if the caller reopens it itself, the sender check ignores its later events because the lease no longer
    // points at that connection (it was cleared, or recycled for another one). A caller-opened lease unsubscribes, since
    // the caller may reopen the same connection many times and each open subscribes again.
    private void OnStateChange(object? sender, StateChangeEventArgs e)
    {
        if (e.CurrentState == ConnectionState.Open) return;
        var connection = Connection;
        if (connection is null || !ReferenceEquals(sender, connection)) return;
        Connection = null;
        if (Unsubscribe) connection.StateChange -= Handler;
        Tracker.End(this);
    }

    public void OnLeakTimer() => Tracker.Leaks!.Suspected(this);
}
