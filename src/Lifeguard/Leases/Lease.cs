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

    // Subscribed by the guard after a successful open: the provider raises Closed from Close/Dispose.
    private void OnStateChange(object? sender, StateChangeEventArgs e)
    {
        if (e.CurrentState == ConnectionState.Open) return;
        var connection = Connection;
        if (connection is null) return;
        connection.StateChange -= Handler;
        Tracker.End(this);
    }

    public void OnLeakTimer() => Tracker.LeakSuspected(this);

    public void Clear()
    {
        Connection = null;
        Operation = null;
        Stack = null;
        LeakTimer = null;
        Leak = null;
        Ended = false;
    }
}
