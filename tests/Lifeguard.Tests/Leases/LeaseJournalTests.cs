using Lifeguard.Attribution;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

using Lifeguard.TestSupport;

namespace Lifeguard.Tests.Leases;

/// <summary>Leases are noted per thread and folded into the histograms when read: counts must stay exact whichever
/// thread opens or closes, however many leases pass between two reads, and with several pools on one thread.</summary>
public sealed class LeaseJournalTests : IDisposable
{
    private readonly List<IDisposable> _disposables = [];

    private GuardedDataSource Guard(int maxPoolSize, LifeguardOptions? options = null, TimeProvider? time = null)
    {
        var inner = NpgsqlDataSource.Create(TestPostgres.For(maxPoolSize, 15, "lifeguard-journal-" + Guid.NewGuid().ToString("N")[..8]));
        var guard = new GuardedDataSource(inner, options ?? new LifeguardOptions { PoolName = "journal" }, timeProvider: time);
        _disposables.Add(guard);
        return guard;
    }

    public void Dispose()
    {
        foreach (var d in _disposables) d.Dispose();
    }

    [Fact]
    public async Task Snapshot_MoreLeasesThanAJournalHoldsWithoutARead_CountsEveryOneWithItsOwnHoldTime()
    {
        var time = new FakeTimeProvider();
        var guard = Guard(2, new LifeguardOptions { PoolName = "journal" }, time);
        var ct = TestContext.Current.CancellationToken;
        const int leases = Lifeguard.Leases.LeaseJournal.Capacity * 3 + 17; // wraps the journal three times before any read
        long expectedMillis = 0;
        for (var i = 0; i < leases; i++)
        {
            await using var c = await guard.OpenConnectionAsync(ct);
            var held = i % 7 + 1;
            expectedMillis += held;
            time.Advance(TimeSpan.FromMilliseconds(held));
        }
        var s = guard.Snapshot();
        s.Leases.ShouldBe(leases);
        s.Hold.Count.ShouldBe(leases);
        s.Hold.Sum.ShouldBe(expectedMillis / 1000.0, 1e-6); // a note overwritten before it was folded would change the sum
        s.Hold.Max.ShouldBe(0.007, 1e-6);
        s.Wait.Count.ShouldBe(leases);
        s.InUse.ShouldBe(0);
    }

    [Fact]
    public async Task Snapshot_FourThreadsOpeningAndClosingConcurrently_CountsExactly()
    {
        var guard = Guard(4, new LifeguardOptions { PoolName = "journal", TrackOperations = true });
        var ct = TestContext.Current.CancellationToken;
        const int perWorker = 300;
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            using var _ = LifeguardOperation.Begin("worker-" + (w % 2));
            for (var i = 0; i < perWorker; i++)
            {
                // Snapshots taken meanwhile fold other threads' journals while they are being written.
                if (i % 50 == 0) guard.Snapshot();
                await using var c = await guard.OpenConnectionAsync(ct);
                await using var cmd = c.CreateCommand();
                cmd.CommandText = "SELECT 1";
                await cmd.ExecuteScalarAsync(ct);
            }
        }, ct)).ToArray();
        await Task.WhenAll(workers);
        var s = guard.Snapshot();
        s.Leases.ShouldBe(4 * perWorker);
        s.Hold.Count.ShouldBe(4 * perWorker);
        s.InUse.ShouldBe(0);
        s.Operations.Single(o => o.Operation == "worker-0").Leases.ShouldBe(2 * perWorker);
        s.Operations.Single(o => o.Operation == "worker-1").Leases.ShouldBe(2 * perWorker);
    }

    [Fact]
    public void Snapshot_TwoPoolsAlternatingOnOneThread_EachCountsOnlyItsOwn()
    {
        var a = Guard(2, new LifeguardOptions { PoolName = "a" });
        var b = Guard(2, new LifeguardOptions { PoolName = "b" });
        for (var i = 0; i < 10; i++)
        {
            using (a.OpenConnection()) { }
            using (b.OpenConnection()) { }
            using (b.OpenConnection()) { }
        }
        a.Snapshot().Hold.Count.ShouldBe(10);
        b.Snapshot().Hold.Count.ShouldBe(20);
    }

    [Fact]
    public void Snapshot_AfterAThreadThatUsedThePoolHasEnded_KeepsItsLeasesAndDropsItsJournal()
    {
        var guard = Guard(2);
        using (guard.OpenConnection()) { } // this thread's journal
        var worker = new Thread(() =>
        {
            for (var i = 0; i < 5; i++)
            {
                using (guard.OpenConnection()) { }
            }
        });
        worker.Start();
        worker.Join();
        guard.Tracker.JournalCount.ShouldBe(2);
        guard.Snapshot().Hold.Count.ShouldBe(6);
        // The ended thread's notes are folded: its journal is dropped, its leases stay counted.
        guard.Tracker.JournalCount.ShouldBe(1);
        guard.Snapshot().Hold.Count.ShouldBe(6);
    }

    [Fact]
    public async Task Snapshot_LeaseOpenedOnOneThreadClosedOnAnother_EndsOnce()
    {
        var guard = Guard(2);
        var ct = TestContext.Current.CancellationToken;
        var connection = await Task.Run(() => guard.OpenConnectionAsync(ct).AsTask(), ct);
        guard.Snapshot().InUse.ShouldBe(1);
        var closer = new Thread(connection.Dispose);
        closer.Start();
        closer.Join();
        var s = guard.Snapshot();
        s.InUse.ShouldBe(0);
        s.Hold.Count.ShouldBe(1);
    }
}
