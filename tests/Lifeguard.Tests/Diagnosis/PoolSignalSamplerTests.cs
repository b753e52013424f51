using Lifeguard.Attribution;
using Lifeguard.Diagnosis;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

using Lifeguard.TestSupport;

namespace Lifeguard.Tests.Diagnosis;

public sealed class PoolSignalSamplerTests
{
    [Fact]
    public async Task Sample_OperationsHoldConnections_ReportsEachIntervalsHoldPerOperationLargestFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        await using var inner = NpgsqlDataSource.Create(TestPostgres.For(2, 15, "lifeguard-sampler-" + Guid.NewGuid().ToString("N")[..8]));
        await using var guard = new GuardedDataSource(inner, new LifeguardOptions { PoolName = "sampler", TrackOperations = true }, timeProvider: time, ownsInner: false);
        var sampler = new PoolSignalSampler(guard);
        sampler.Sample();

        async Task HoldAsync(string operation, TimeSpan held)
        {
            using var _ = LifeguardOperation.Begin(operation);
            await using var c = await guard.OpenConnectionAsync(ct);
            time.Advance(held);
        }
        await HoldAsync("GET /report", TimeSpan.FromSeconds(3));
        await HoldAsync("GET /home", TimeSpan.FromMilliseconds(100));
        await HoldAsync("GET /home", TimeSpan.FromMilliseconds(100));

        var first = sampler.Sample();
        first.Operations.Select(o => o.Operation).ShouldBe(["GET /report", "GET /home"]);
        var report = first.Operations[0];
        report.Returned.ShouldBe(1);
        report.HoldTotalMs.ShouldBe(3000, 1);
        report.HoldP99Ms.ShouldBe(3000, 3000 * 0.07);
        report.ShareOfHold.ShouldBe(3000 / 3200.0, 0.002);
        first.Operations[1].Returned.ShouldBe(2);

        // The next interval counts only its own leases: the report is not in it.
        await HoldAsync("GET /home", TimeSpan.FromMilliseconds(50));
        var second = sampler.Sample();
        second.Operations.ShouldHaveSingleItem().Operation.ShouldBe("GET /home");
        second.Operations[0].Returned.ShouldBe(1);
        second.Operations[0].HoldTotalMs.ShouldBe(50, 1);
        second.Operations[0].ShareOfHold.ShouldBe(1);
    }
}
