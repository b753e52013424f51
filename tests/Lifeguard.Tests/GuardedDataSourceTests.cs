using System.Data;
using Lifeguard.Attribution;
using Lifeguard.Telemetry;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

using Lifeguard.TestSupport;

namespace Lifeguard.Tests;

public sealed class GuardedDataSourceTests : IDisposable
{
    private readonly TestMeterFactory _meters = new();
    private readonly List<IDisposable> _disposables = [];

    private GuardedDataSource Guard(int maxPoolSize, int timeoutSeconds = 15, LifeguardOptions? options = null, TimeProvider? time = null, ILoggerFactory? logs = null)
    {
        // A unique application name gives each test its own pool name in Npgsql's meter.
        var inner = NpgsqlDataSource.Create(TestPostgres.For(maxPoolSize, timeoutSeconds, "lifeguard-tests-" + Guid.NewGuid().ToString("N")[..8]));
        var guard = new GuardedDataSource(inner, options ?? new LifeguardOptions { PoolName = "test" }, _meters, logs, time);
        _disposables.Add(guard);
        return guard;
    }

    private MetricCollector<T> Collect<T>(string instrument) where T : struct
    {
        var c = new MetricCollector<T>(_meters, LifeguardInstruments.MeterName, instrument);
        _disposables.Add(c);
        return c;
    }

    public void Dispose()
    {
        foreach (var d in _disposables) d.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task OpenConnectionAsync_ThroughGuard_ReturnsTheProvidersOwnConnection()
    {
        var guard = Guard(2);
        await using var connection = await guard.OpenConnectionAsync(TestContext.Current.CancellationToken);
        connection.ShouldBeOfType<NpgsqlConnection>();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT 41 + 1";
        (await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken)).ShouldBe(42);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // the estimate: peak of concurrent leases minus those in use
    public async Task OpenConnectionAsync_TwoHeldThenOneReturned_CountsInUseAndIdleExactly(bool readProvider)
    {
        var guard = Guard(3, options: new LifeguardOptions { PoolName = "test", ReadProviderPoolCounts = readProvider });
        var ct = TestContext.Current.CancellationToken;
        var a = await guard.OpenConnectionAsync(ct);
        var b = await guard.OpenConnectionAsync(ct);
        var s = guard.Snapshot();
        s.InUse.ShouldBe(2);
        s.Idle.ShouldBe(0);
        s.Max.ShouldBe(3);
        s.Waiters.ShouldBe(0);

        await a.DisposeAsync();
        s = guard.Snapshot();
        s.InUse.ShouldBe(1);
        s.Idle.ShouldBe(1);
        s.IdleIsExact.ShouldBe(readProvider);
        s.Hold.Count.ShouldBe(1);
        // The cumulative form agrees with the summary: one hold, in one bucket, the same sum.
        s.HoldTotal.Count.ShouldBe(1);
        s.HoldTotal.Buckets.ShouldHaveSingleItem().Count.ShouldBe(1);
        s.HoldTotal.SumSeconds.ShouldBe(s.Hold.Sum);
        s.WaitTotal.Count.ShouldBe(2);

        var counts = Collect<long>(LifeguardInstruments.Count);
        counts.RecordObservableInstruments();
        var byState = counts.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[LifeguardInstruments.StateTag]!, m => m.Value);
        byState["used"].ShouldBe(1);
        byState["idle"].ShouldBe(1);
        await b.DisposeAsync();
        guard.Snapshot().InUse.ShouldBe(0);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Snapshot_ConnectionsOpenedBesideTheGuard_IdleIsExactOnlyFromTheProviderMeter(bool readProvider)
    {
        var guard = Guard(3, options: new LifeguardOptions { ReadProviderPoolCounts = readProvider });
        var ct = TestContext.Current.CancellationToken;
        // Three physical connections opened on the provider directly: the guard never saw them, Npgsql's meter did.
        var raw = new List<System.Data.Common.DbConnection>();
        for (var i = 0; i < 3; i++) raw.Add(await guard.Inner.OpenConnectionAsync(ct));
        foreach (var c in raw) await c.DisposeAsync();

        var s = guard.Snapshot();
        s.IdleIsExact.ShouldBe(readProvider);
        s.Idle.ShouldBe(readProvider ? 3 : 0);
        await using (await guard.OpenConnectionAsync(ct))
            guard.Snapshot().Idle.ShouldBe(readProvider ? 2 : 0);
    }

    [Fact]
    public async Task OpenConnectionAsync_PoolFull_CountsTheWaiterAndRecordsItsWait()
    {
        var guard = Guard(2);
        var ct = TestContext.Current.CancellationToken;
        var waits = Collect<double>(LifeguardInstruments.WaitTime);
        var pending = Collect<long>(LifeguardInstruments.PendingRequests);
        var a = await guard.OpenConnectionAsync(ct);
        await using var b = await guard.OpenConnectionAsync(ct);

        var third = guard.OpenConnectionAsync(ct).AsTask();
        await TestPostgres.Eventually(() => guard.Snapshot().Waiters == 1, "one waiter");
        pending.RecordObservableInstruments();
        pending.LastMeasurement!.Value.ShouldBe(1);
        third.IsCompleted.ShouldBeFalse();

        await Task.Delay(300, ct);
        await a.DisposeAsync();
        await using var c = await third;
        guard.Snapshot().Waiters.ShouldBe(0);
        guard.Snapshot().InUse.ShouldBe(2);
        waits.LastMeasurement!.Value.ShouldBeGreaterThanOrEqualTo(0.25);
        waits.LastMeasurement.Tags[LifeguardInstruments.PoolNameTag].ShouldBe("test");
        guard.Snapshot().Wait.Max.ShouldBeGreaterThanOrEqualTo(0.25);
    }

    [Fact]
    public async Task Dispose_AfterHoldingThreeSeconds_RecordsUseTimeOfThreeSeconds()
    {
        var time = new FakeTimeProvider();
        var guard = Guard(2, time: time);
        var uses = Collect<double>(LifeguardInstruments.UseTime);
        var connection = await guard.OpenConnectionAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(3));
        await connection.DisposeAsync();
        uses.GetMeasurementSnapshot().Count.ShouldBe(1);
        uses.LastMeasurement!.Value.ShouldBe(3.0, 1e-9);
        guard.Snapshot().Hold.Max.ShouldBe(3.0, 0.01);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Snapshot_TwoLeasesHeldOneAndThreeSeconds_SummarisesHoldTimes(bool trackOperations)
    {
        var time = new FakeTimeProvider();
        var guard = Guard(2, options: new LifeguardOptions { TrackOperations = trackOperations }, time: time);
        var ct = TestContext.Current.CancellationToken;
        foreach (var seconds in new[] { 1, 3 })
        {
            await using var c = await guard.OpenConnectionAsync(ct);
            time.Advance(TimeSpan.FromSeconds(seconds));
        }
        var s = guard.Snapshot();
        s.Leases.ShouldBe(2);
        s.Hold.Count.ShouldBe(2);
        s.Hold.Sum.ShouldBe(4.0, 1e-6);
        s.Hold.Max.ShouldBe(3.0, 1e-6);
        s.Hold.P50.ShouldBe(1.0, 0.07);
        s.Operations.Count.ShouldBe(trackOperations ? 1 : 0);
    }

    [Fact]
    public async Task OpenConnectionAsync_PoolExhaustedPastTimeout_CountsOneTimeout()
    {
        var guard = Guard(1, timeoutSeconds: 1);
        var ct = TestContext.Current.CancellationToken;
        var timeouts = Collect<long>(LifeguardInstruments.Timeouts);
        await using var held = await guard.OpenConnectionAsync(ct);
        var ex = await Should.ThrowAsync<NpgsqlException>(async () => await guard.OpenConnectionAsync(ct));
        ex.Message.ShouldContain("exhausted");
        var s = guard.Snapshot();
        s.Timeouts.ShouldBe(1);
        s.RecentTimeouts.ShouldBe(1);
        s.Errors.ShouldBe(0);
        s.Waiters.ShouldBe(0);
        timeouts.GetMeasurementSnapshot().EvaluateAsCounter().ShouldBe(1);
    }

    [Fact]
    public async Task OpenConnectionAsync_WrongPassword_CountsAConnectionErrorNotATimeout()
    {
        var cs = new NpgsqlConnectionStringBuilder(TestPostgres.For(2)) { Password = "wrong-password" }.ConnectionString;
        var guard = new GuardedDataSource(NpgsqlDataSource.Create(cs), new LifeguardOptions(), _meters);
        _disposables.Add(guard);
        await Should.ThrowAsync<PostgresException>(async () => await guard.OpenConnectionAsync(TestContext.Current.CancellationToken));
        var s = guard.Snapshot();
        s.Errors.ShouldBe(1);
        s.Timeouts.ShouldBe(0);
        s.InUse.ShouldBe(0);
    }

    [Fact]
    public async Task LeakDetection_LeaseHeldPastThreshold_ReportedOnceWithStackAndAgainWhenReturned()
    {
        var time = new FakeTimeProvider();
        var logs = new TestLoggerFactory();
        var guard = Guard(2, options: new LifeguardOptions { PoolName = "test", LeakDetectionThreshold = TimeSpan.FromSeconds(10) }, time: time, logs: logs);
        var leaks = Collect<long>(LifeguardInstruments.Leaks);
        DbConnectionHolder holder;
        using (LifeguardOperation.Begin("GET /leaky"))
            holder = await BorrowAndForgetAsync(guard);

        time.Advance(TimeSpan.FromSeconds(9));
        guard.Snapshot().Leaks.ShouldBe(0);
        time.Advance(TimeSpan.FromSeconds(2));
        var s = guard.Snapshot();
        s.Leaks.ShouldBe(1);
        s.ActiveLeaks.ShouldBe(1);
        var report = s.RecentLeaks.ShouldHaveSingleItem();
        report.Operation.ShouldBe("GET /leaky");
        report.StackTrace.ShouldContain(nameof(BorrowAndForgetAsync));
        report.ReturnedAt.ShouldBeNull();
        logs.Logger.LatestRecord.Level.ShouldBe(LogLevel.Warning);
        logs.Logger.LatestRecord.Message.ShouldContain(nameof(BorrowAndForgetAsync));
        leaks.GetMeasurementSnapshot().EvaluateAsCounter().ShouldBe(1);

        time.Advance(TimeSpan.FromSeconds(30));
        guard.Snapshot().Leaks.ShouldBe(1);

        await holder.Connection.DisposeAsync();
        report.ReturnedAt.ShouldBeNull(); // a snapshot's report is as it was then
        var returned = guard.Snapshot().RecentLeaks.ShouldHaveSingleItem();
        returned.ReturnedAt.ShouldNotBeNull();
        returned.HeldFor.ShouldBe(TimeSpan.FromSeconds(41));
        guard.Snapshot().ActiveLeaks.ShouldBe(0);
        logs.Logger.LatestRecord.Message.ShouldContain("returned");
        logs.Logger.LatestRecord.Message.ShouldContain("GET /leaky");
    }

    private static async Task<DbConnectionHolder> BorrowAndForgetAsync(GuardedDataSource guard) =>
        new(await guard.OpenConnectionAsync());

    private sealed record DbConnectionHolder(System.Data.Common.DbConnection Connection);

    [Fact]
    public async Task LeakDetection_Off_CreatesNoTimersAndReportsNothing()
    {
        var time = new CountingTimeProvider();
        var guard = Guard(2, time: time);
        for (var i = 0; i < 5; i++)
        {
            await using var c = await guard.OpenConnectionAsync(TestContext.Current.CancellationToken);
            time.Advance(TimeSpan.FromHours(1));
        }
        time.TimersCreated.ShouldBe(0);
        guard.Snapshot().Leaks.ShouldBe(0);
        guard.Snapshot().Leases.ShouldBe(5);
    }

    [Fact]
    public async Task Attribution_TwoOperations_RankedByTotalHoldTime()
    {
        var time = new FakeTimeProvider();
        var guard = Guard(2, time: time);
        var ct = TestContext.Current.CancellationToken;
        async Task Hold(string op, int seconds)
        {
            using var _ = LifeguardOperation.Begin(op);
            await using var c = await guard.OpenConnectionAsync(ct);
            time.Advance(TimeSpan.FromSeconds(seconds));
        }
        await Hold("GET /reports", 2);
        await Hold("GET /reports", 2);
        await Hold("GET /dashboard", 1);

        var ops = guard.Snapshot().Operations;
        ops.Count.ShouldBe(2);
        ops[0].Operation.ShouldBe("GET /reports");
        ops[0].Leases.ShouldBe(2);
        ops[0].TotalHoldSeconds.ShouldBe(4.0, 1e-6);
        ops[0].P99HoldSeconds.ShouldBe(2.0, 0.15);
        ops[1].Operation.ShouldBe("GET /dashboard");
        ops[1].TotalHoldSeconds.ShouldBe(1.0, 1e-6);
    }

    [Fact]
    public async Task Attribution_Metrics_ExportConnectionSecondsAndLeasesPerOperation()
    {
        var time = new FakeTimeProvider();
        var guard = Guard(2, time: time);
        var held = Collect<double>(LifeguardInstruments.OperationHoldTime);
        var leases = Collect<long>(LifeguardInstruments.OperationLeases);
        var ct = TestContext.Current.CancellationToken;
        foreach (var (op, seconds) in new[] { ("GET /reports", 3), ("GET /reports", 1), ("GET /dashboard", 2) })
        {
            using var _ = LifeguardOperation.Begin(op);
            await using var c = await guard.OpenConnectionAsync(ct);
            time.Advance(TimeSpan.FromSeconds(seconds));
        }

        held.RecordObservableInstruments();
        leases.RecordObservableInstruments();

        var heldBy = held.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[LifeguardInstruments.OperationTag]!, m => m.Value);
        heldBy["GET /reports"].ShouldBe(4.0, 1e-6);
        heldBy["GET /dashboard"].ShouldBe(2.0, 1e-6);
        leases.GetMeasurementSnapshot().Single(m => (string)m.Tags[LifeguardInstruments.OperationTag]! == "GET /reports").Value.ShouldBe(2);
        held.GetMeasurementSnapshot().ShouldAllBe(m => (string)m.Tags[LifeguardInstruments.PoolNameTag]! == "test");
    }

    [Fact]
    public async Task Attribution_MoreOperationsThanTheCap_FoldsTheRestIntoOther()
    {
        var guard = Guard(2, options: new LifeguardOptions { MaxOperations = 2 });
        foreach (var op in new[] { "a", "b", "c", "d" })
        {
            using var _ = LifeguardOperation.Begin(op);
            await using var c = await guard.OpenConnectionAsync(TestContext.Current.CancellationToken);
        }
        var names = guard.Snapshot().Operations.Select(o => o.Operation).Order().ToList();
        names.ShouldBe(["a", "b", "other"]);
        guard.Snapshot().Operations.Single(o => o.Operation == "other").Leases.ShouldBe(2);
    }

    [Fact]
    public async Task AdmissionControl_PoolSaturated_RejectsWithinTheBudgetInsteadOfWaitingForTheTimeout()
    {
        var guard = Guard(1, timeoutSeconds: 15, options: new LifeguardOptions { AdmissionBudget = TimeSpan.FromMilliseconds(200) });
        var ct = TestContext.Current.CancellationToken;
        var held = await guard.OpenConnectionAsync(ct);
        var started = DateTime.UtcNow;
        var ex = await Should.ThrowAsync<PoolAdmissionRejectedException>(async () => await guard.OpenConnectionAsync(ct));
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(10)); // the provider would have waited 15 s
        ex.RetryAfter.ShouldBe(TimeSpan.FromSeconds(1));
        var s = guard.Snapshot();
        s.Rejections.ShouldBe(1);
        s.Timeouts.ShouldBe(0);
        s.Waiters.ShouldBe(0);

        await held.DisposeAsync();
        await using var again = await guard.OpenConnectionAsync(ct);
        again.State.ShouldBe(ConnectionState.Open);
    }

    [Fact]
    public async Task CreateConnection_OpenedByCaller_HoldIsStillTracked()
    {
        var guard = Guard(2);
        await using (var c = guard.CreateConnection())
        {
            await c.OpenAsync(TestContext.Current.CancellationToken);
            guard.Snapshot().InUse.ShouldBe(1);
        }
        guard.Snapshot().InUse.ShouldBe(0);
        guard.Snapshot().Hold.Count.ShouldBe(1);
    }

    [Fact]
    public void OpenConnection_Synchronous_TracksTheLease()
    {
        var guard = Guard(2);
        using (var c = guard.OpenConnection())
        {
            c.ShouldBeOfType<NpgsqlConnection>();
            guard.Snapshot().InUse.ShouldBe(1);
        }
        guard.Snapshot().InUse.ShouldBe(0);
    }

    [Fact]
    public async Task OpenConnectionAsync_ClosedThenReopenedByCaller_EndsTheLeaseOnceAndNeverCountsAReusedLease()
    {
        // The guard does not unsubscribe from a connection it opened once the lease ends; a caller reopening that same
        // connection must not touch the recycled lease, which by then belongs to another connection.
        var guard = Guard(3);
        var ct = TestContext.Current.CancellationToken;
        var first = await guard.OpenConnectionAsync(ct);
        await first.CloseAsync();
        guard.Snapshot().InUse.ShouldBe(0);
        await using var second = await guard.OpenConnectionAsync(ct); // on this thread, reuses the first's lease object
        await first.OpenAsync(ct);
        await first.CloseAsync();
        await first.OpenAsync(ct);
        await first.DisposeAsync();
        var s = guard.Snapshot();
        s.InUse.ShouldBe(1);
        s.Hold.Count.ShouldBe(1);
        await second.CloseAsync();
        guard.Snapshot().InUse.ShouldBe(0);
        guard.Snapshot().Hold.Count.ShouldBe(2);
    }

    [Fact]
    public async Task CreateConnection_ReopenedByCallerThreeTimes_TracksEachLeaseOnce()
    {
        var guard = Guard(2);
        var ct = TestContext.Current.CancellationToken;
        await using var c = guard.CreateConnection();
        for (var i = 0; i < 3; i++)
        {
            await c.OpenAsync(ct);
            guard.Snapshot().InUse.ShouldBe(1);
            await c.CloseAsync();
            guard.Snapshot().InUse.ShouldBe(0);
        }
        guard.Snapshot().Hold.Count.ShouldBe(3);
    }

    [Fact]
    public void Constructor_NegativeLeakThreshold_FailsValidationNamingTheOption()
    {
        var inner = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1");
        var ex = Should.Throw<System.ComponentModel.DataAnnotations.ValidationException>(() => new GuardedDataSource(inner, new LifeguardOptions { LeakDetectionThreshold = TimeSpan.FromSeconds(-1) }));
        ex.Message.ShouldContain(nameof(LifeguardOptions.LeakDetectionThreshold));
        inner.Dispose();
    }

    [Fact]
    public async Task SetConcurrencyCap_BelowThePoolMax_NeverLeasesMoreThanTheCapAndTheRestWait()
    {
        var guard = Guard(10);
        var ct = TestContext.Current.CancellationToken;
        guard.SetConcurrencyCap(3);
        guard.ConcurrencyCap.ShouldBe(3);
        guard.Snapshot().Max.ShouldBe(3);
        var peak = 0;
        var workers = Enumerable.Range(0, 12).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                await using var c = await guard.OpenConnectionAsync(ct);
                peak = Math.Max(peak, guard.Snapshot().InUse);
                await using var cmd = c.CreateCommand();
                cmd.CommandText = "SELECT pg_sleep(0.01)";
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }, ct)).ToArray();
        await Task.WhenAll(workers);
        peak.ShouldBeLessThanOrEqualTo(3);
        guard.Snapshot().InUse.ShouldBe(0);
        guard.SetConcurrencyCap(null);
        guard.ConcurrencyCap.ShouldBeNull();
        guard.Snapshot().Max.ShouldBe(10);
    }

    [Fact]
    public async Task SetConcurrencyCap_AllHeld_TimesOutAsAPoolTimeoutAfterTheConnectionTimeout()
    {
        var guard = Guard(5, timeoutSeconds: 1);
        var ct = TestContext.Current.CancellationToken;
        guard.SetConcurrencyCap(1);
        await using var held = await guard.OpenConnectionAsync(ct);
        var ex = await Should.ThrowAsync<TimeoutException>(async () => await guard.OpenConnectionAsync(ct));
        ex.Message.ShouldContain("fleet governor");
        guard.Snapshot().Timeouts.ShouldBe(1);
        guard.SetConcurrencyCap(2); // raised: the next open goes through at once
        await using var second = await guard.OpenConnectionAsync(ct);
        guard.Snapshot().InUse.ShouldBe(2);
    }

    [Fact]
    public void SetConcurrencyCap_Negative_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => Guard(2).SetConcurrencyCap(-1));
}

