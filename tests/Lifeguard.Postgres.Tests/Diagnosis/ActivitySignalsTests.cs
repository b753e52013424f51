using Lifeguard.Postgres.Diagnosis;

namespace Lifeguard.Postgres.Tests.Diagnosis;

/// <summary>pg_stat_activity rows read as the diagnoser's signals, from rows alone: no server needed.</summary>
public sealed class ActivitySignalsTests
{
    private static ServerSession Row(int pid, string state, string app = "site", string wait = "", string type = "client backend",
        double stateAge = 1, bool sameDatabase = true, int[]? blockedBy = null) =>
        new(pid, state, wait, wait.Length == 0 ? "" : "event", app, "u", "10.0.0.1", type, 0, stateAge, "", blockedBy, sameDatabase);

    [Fact]
    public void From_MixedSessions_CountsClientsOnlyAndTheAppsApart()
    {
        ServerSession[] rows =
        [
            Row(1, "active", app: "site"),                         // on CPU
            Row(2, "active", app: "site", wait: "IO"),             // waiting on I/O
            Row(3, "active", app: "report"),                       // on CPU, another client
            Row(4, "idle", app: "site"),
            Row(5, "idle in transaction", app: "site", stateAge: 12.3456),
            Row(6, "active", app: "", type: "autovacuum worker"),  // not a client: not judged
        ];

        var s = ActivitySignals.From(rows, "site");

        s.Reachable.ShouldBeTrue();
        s.Backends.ShouldBe(6); // five clients + the reader's own
        s.Active.ShouldBe(3);
        s.ActiveOnCpu.ShouldBe(2);
        s.WaitEvents.ShouldContain(w => w.Type == "CPU" && w.Sessions == 2);
        s.WaitEvents.ShouldContain(w => w.Type == "IO" && w.Sessions == 1);
        s.SlotHolders[0].ShouldBe(new Lifeguard.Diagnosis.SlotHolder("site", "u", "10.0.0.1", 4));
        s.OnCpuBy.Select(h => h.Application).ShouldBe(["report", "site"]); // a tie, by name
        s.IdleInTransaction.ShouldBe(1);
        s.ApplicationName.ShouldBe("site");
        s.AppBackends.ShouldBe(4);
        s.AppActive.ShouldBe(2);
        s.AppActiveOnCpu.ShouldBe(1);
        s.AppIdleInTransaction.ShouldBe(1);
        s.AppLongestIdleInTransactionSeconds.ShouldBe(12.346);
        s.LockWaiters.ShouldBe(0);
        s.RootBlocker.ShouldBeNull();
    }

    [Fact]
    public void From_LockQueueInAnotherDatabase_NotThisApplicationsCause()
    {
        ServerSession[] rows =
        [
            Row(1, "idle in transaction", sameDatabase: false),
            Row(2, "active", wait: "Lock", sameDatabase: false, blockedBy: [1], stateAge: 9),
            Row(3, "idle in transaction"),
            Row(4, "active", wait: "Lock", blockedBy: [3], stateAge: 2.5),
        ];

        var s = ActivitySignals.From(rows, "site");

        s.LockWaiters.ShouldBe(1);
        s.LongestLockWaitSeconds.ShouldBe(2.5);
        s.RootBlocker!.Pid.ShouldBe(3);
        s.IdleInTransaction.ShouldBe(1);
        s.AppLockWaiters.ShouldBe(2); // the app's own sessions, wherever they wait
        s.Backends.ShouldBe(5); // slots are the whole server's
    }

    [Fact]
    public void From_ApplicationNameUnknown_NoAppCounts()
    {
        var s = ActivitySignals.From([Row(1, "active")], null);
        s.ApplicationName.ShouldBeNull();
        s.AppBackends.ShouldBe(0);
        s.Active.ShouldBe(1);
    }

    [Fact]
    public void ConnectionsByState_ClientsByState_TheReaderCountedActive()
    {
        var byState = ActivitySignals.ConnectionsByState(
            [Row(1, "idle"), Row(2, "idle"), Row(3, "idle in transaction"), Row(4, ""), Row(5, "active", type: "walwriter")]);
        byState.ShouldBe(new Dictionary<string, int> { ["idle"] = 2, ["idle in transaction"] = 1, ["unknown"] = 1, ["active"] = 1 }, ignoreOrder: true);
    }
}
