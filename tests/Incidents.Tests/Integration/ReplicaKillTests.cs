using System.Text.Json.Nodes;
using Incidents.Tests.Infrastructure;
using Npgsql;
using static Incidents.Tests.Infrastructure.Webhooks;

namespace Incidents.Tests.Integration;

/// <summary>
/// Two replicas as separate OS processes on one database, one SIGKILLed while it owns an escalation step and then one while
/// it is sending a notification; the other takes over each time, and every step's notification reaches a real HTTP receiver
/// once. Waits are real but short (one policy "minute" = 3 s); the moments of the kill are made certain with PostgreSQL
/// locks and a held HTTP answer, never with sleeps.
/// </summary>
public sealed class ReplicaKillTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private WebhookSink _hook = null!;
    private string _policyFile = "";
    private readonly List<ReplicaProcess> _replicas = [];

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _hook = await WebhookSink.StartAsync();
        _policyFile = Path.Combine(Path.GetTempPath(), $"escalation-kill-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(_policyFile, $$"""
            channels:
              hook: { type: webhook, url: "{{_hook.Url}}" }
            policies:
              page:
                steps:
                  - notify_channel: hook
                  - wait: 1
                  - notify_channel: hook
                  - wait: 1
                  - notify_channel: hook
            default_policy: page
            """);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var r in _replicas) await r.DisposeAsync();
        await _hook.DisposeAsync();
        await _db.DisposeAsync();
        File.Delete(_policyFile);
    }

    private async Task<ReplicaProcess> StartAsync(string name)
    {
        var r = await ReplicaProcess.StartAsync(name, _db.ConnectionString, new Dictionary<string, string>
        {
            ["Incidents__Escalation__PolicyFile"] = _policyFile,
            ["Incidents__Escalation__MinuteLength"] = "00:00:03",
            ["Incidents__Escalation__PollInterval"] = "00:00:00.050",
            ["Incidents__Escalation__RetryDelay"] = "00:00:00.100",
            // longer than the test holds a delivery's answer: the sender must still be waiting when it is killed
            ["Incidents__Escalation__DeliveryTimeout"] = "00:00:30",
        });
        _replicas.Add(r);
        return r;
    }

    private static async Task<T> Until<T>(Func<Task<T?>> probe, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await probe() is { } v) return v;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("waited 30 s for " + what);
            await Task.Delay(25);
        }
    }

    private int Arrived(int step) => _hook.Arrivals.Count(a => (int)a.Body["step"]! == step);

    private async Task<string?> BackendAsync(string sql)
    {
        await using var c = new NpgsqlConnection(_db.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        return await cmd.ExecuteScalarAsync() as string;
    }

    [Fact]
    public async Task SigKill_ReplicaOwningAStepAndReplicaSendingOne_TheOtherTakesOver_EachStepReachesTheReceiverOnce()
    {
        var a = await StartAsync("incidents-replica-a");
        var b = await StartAsync("incidents-replica-b");
        using (var api = a.Api())
        {
            await PostAsync(api, Body("kill", Alert("fp-kill", "firing", DateTimeOffset.UtcNow.AddSeconds(-10))));
        }

        await Until(async () => await _db.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE step = 1 AND status = 'sent'") == 1 ? "" : null, "step 1 sent");

        // 1. Kill the replica that owns step 3. This session keeps every INSERT into deliveries waiting (SHARE blocks ROW
        //    EXCLUSIVE, not the workers' FOR UPDATE reads), so whichever replica claims the step holds the escalation row
        //    inside its transaction until the lock goes: the moment to kill it.
        var replicas = _replicas.ToDictionary(r => r.Name);
        ReplicaProcess owner;
        await using (var blocker = new NpgsqlConnection(_db.ConnectionString))
        {
            await blocker.OpenAsync();
            await using var tx = await blocker.BeginTransactionAsync();
            await using (var lockCmd = new NpgsqlCommand("LOCK TABLE deliveries IN SHARE MODE", blocker, tx)) await lockCmd.ExecuteNonQueryAsync();
            var name = await Until(() => BackendAsync(
                "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO deliveries%'"),
                "a replica taking step 3 (waiting on the deliveries lock)");
            owner = replicas[name];
            (await _db.ScalarAsync<string>(
                $"SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'escalations' AND l.mode = 'RowShareLock' AND a.application_name = '{name}' LIMIT 1"))
                .ShouldBe(name, "the killed replica holds the escalation row (FOR UPDATE) when it dies");
            await owner.KillAsync();
            await tx.RollbackAsync();
        }

        var ownerExit = owner.Process.ExitCode;
        await Until(() => Task.FromResult(Arrived(3) > 0 ? "" : null), "step 3 from the survivor");
        (await _db.ScalarAsync<string>("SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND application_name = '" + owner.Name + "' LIMIT 1"))
            .ShouldBeNull("the killed replica's sessions are gone");

        // 2. The killed replica comes back; then kill whichever replica is sending step 5, while the receiver holds its answer.
        //    (The hold is in place before the restart: step 5 may fall due while the replica is starting.)
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _hook.BeforeAnswer = body =>
        {
            if ((int)body["step"]! != 5 || !held.TrySetResult()) return Task.CompletedTask;
            return release.Task;
        };
        _replicas.Remove(owner);
        await owner.DisposeAsync();
        await StartAsync(owner.Name);
        replicas = _replicas.ToDictionary(r => r.Name);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // the sender holds the delivery's row (FOR UPDATE) in an open transaction while it waits for the answer
        var senderName = await Until(() => BackendAsync(
            "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE '%FROM deliveries d%FOR UPDATE OF d SKIP LOCKED%'"),
            "the replica sending step 5");
        var sender = replicas[senderName];
        await sender.KillAsync();
        var senderExit = sender.Process.ExitCode;
        release.SetResult();
        await Until(() => Task.FromResult(Arrived(5) >= 2 ? "" : null), "step 5 sent again by the replica left");
        await Until(async () => await _db.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE status = 'sent'") == 3 ? "" : null, "three deliveries recorded as sent");
        await Task.Delay(1000); // more polls of the replica left: a duplicate would be sent by now

        // one delivery per step, each recorded once; the timeline took each step once
        (await _db.ScalarAsync<string>("SELECT string_agg(step || ':' || status || ':' || attempts, ',' ORDER BY step) FROM deliveries")).ShouldBe("1:sent:1,3:sent:1,5:sent:1");
        (await _db.ScalarAsync<long>("SELECT count(*) FROM timeline WHERE kind = 'escalation_step' AND message LIKE 'Step 3 of%'")).ShouldBe(1);
        (await _db.ScalarAsync<long>("SELECT count(*) FROM timeline WHERE kind = 'escalation_step' AND message LIKE 'Step 5 of%'")).ShouldBe(1);
        // killed while owning step 3: the step's transaction died with it, so step 3 was sent once, by the survivor
        Arrived(1).ShouldBe(1);
        Arrived(3).ShouldBe(1);
        // killed mid-send: the receiver had the message, the sender never heard back, so the replica left sent it again with
        // the same Idempotency-Key; the receiver took it once
        var step5 = _hook.Arrivals.Where(x => (int)x.Body["step"]! == 5).Select(x => x.Key).ToList();
        step5.Count.ShouldBe(2);
        step5.Distinct().ShouldHaveSingleItem().ShouldNotBeNull();
        _hook.Received.Select(n => (int)n["step"]!).ShouldBe([1, 3, 5]);
        _hook.Received.Select(n => (string?)n["delivery_key"]).Distinct().Count().ShouldBe(3);
        new[] { ownerExit, senderExit }.ShouldAllBe(c => c == 137, "both died of SIGKILL (128 + 9)");
    }
}
