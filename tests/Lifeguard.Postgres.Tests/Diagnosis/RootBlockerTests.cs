using Lifeguard.Diagnosis;
using Lifeguard.Postgres.Diagnosis;

namespace Lifeguard.Postgres.Tests.Diagnosis;

/// <summary>The root of a lock queue from pg_blocking_pids alone: no server needed.</summary>
public sealed class RootBlockerTests
{
    private static ServerSession Session(int pid, string state = "active", string wait = "", int[]? blockedBy = null, string query = "", double xactAge = 0) =>
        new(pid, state, wait, wait == "Lock" ? "relation" : "", "app", "u", "local", "client backend", xactAge, 1, query, blockedBy);

    private static BlockingSession? Find(params ServerSession[] clients) =>
        RootBlocker.Find(clients, clients.Where(s => s.WaitType == "Lock").ToList());

    [Fact]
    public void Find_NobodyWaits_IsNull() =>
        Find(Session(1), Session(2, "idle in transaction")).ShouldBeNull();

    [Fact]
    public void Find_IdleTransactionBehindAnAlterBehindSelects_NamesTheIdleTransactionNotTheAlter()
    {
        var root = Find(
            Session(10, "idle in transaction", query: "SELECT * FROM orders", xactAge: 42.04),
            Session(11, wait: "Lock", blockedBy: [10], query: "ALTER TABLE orders ADD c int"),
            Session(12, wait: "Lock", blockedBy: [11], query: "SELECT 1 FROM orders"),
            Session(13, wait: "Lock", blockedBy: [11], query: "SELECT 2 FROM orders"));

        root.ShouldNotBeNull();
        root.Pid.ShouldBe(10);
        root.State.ShouldBe("idle in transaction");
        root.Blocked.ShouldBe(3);
        root.TransactionAgeSeconds.ShouldBe(42.0);
        root.Query.ShouldBe("SELECT * FROM orders");
    }

    [Fact]
    public void Find_TwoQueues_TheRootBlockingMostWins()
    {
        var root = Find(
            Session(20, "idle in transaction"),
            Session(21, wait: "Lock", blockedBy: [20]),
            Session(30, "idle in transaction"),
            Session(31, wait: "Lock", blockedBy: [30]),
            Session(32, wait: "Lock", blockedBy: [30]));
        root!.Pid.ShouldBe(30);
        root.Blocked.ShouldBe(2);
    }

    [Fact]
    public void Find_TieBetweenRoots_LowestPidWins()
    {
        var root = Find(
            Session(50, "idle in transaction"),
            Session(51, wait: "Lock", blockedBy: [50]),
            Session(40, "idle in transaction"),
            Session(41, wait: "Lock", blockedBy: [40]));
        root!.Pid.ShouldBe(40);
    }

    [Fact]
    public void Find_BlockerIsNotAClientSession_StillNamedByPid()
    {
        var root = Find(Session(61, wait: "Lock", blockedBy: [60]));
        root!.Pid.ShouldBe(60);
        root.State.ShouldBe("(not a client session)");
        root.Blocked.ShouldBe(1);
    }

    [Fact]
    public void Find_WaitersBlockEachOther_EndsWithoutARoot()
    {
        // A deadlock the server has not broken yet: a cycle with no session blocked by nobody; the server breaks it.
        Find(
            Session(70, wait: "Lock", blockedBy: [71]),
            Session(71, wait: "Lock", blockedBy: [70])).ShouldBeNull();
    }
}
