using Lifeguard.Fleet;

namespace Lifeguard.Tests.Fleet;

public sealed class ConcurrencyGateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EnterAsync_AtTheLimit_WaitsUntilAPlaceIsReturned()
    {
        var gate = new ConcurrencyGate(1);
        gate.TryEnter().ShouldBeTrue();
        var waiter = gate.EnterAsync(TimeSpan.FromMinutes(1), TimeProvider.System, Ct).AsTask();
        waiter.IsCompleted.ShouldBeFalse();
        gate.Waiting.ShouldBe(1);
        gate.Release();
        await waiter;
        gate.Held.ShouldBe(1);
    }

    [Fact]
    public async Task SetLimit_Raised_WakesWaitersInOrder()
    {
        var gate = new ConcurrencyGate(0);
        var first = gate.EnterAsync(TimeSpan.FromMinutes(1), TimeProvider.System, Ct).AsTask();
        var second = gate.EnterAsync(TimeSpan.FromMinutes(1), TimeProvider.System, Ct).AsTask();
        gate.SetLimit(1);
        await first;
        second.IsCompleted.ShouldBeFalse();
        gate.SetLimit(2);
        await second;
        gate.Held.ShouldBe(2);
    }

    [Fact]
    public void SetLimit_Lowered_TakesNothingBackButAdmitsNoneUntilBelow()
    {
        var gate = new ConcurrencyGate(3);
        for (var i = 0; i < 3; i++) gate.TryEnter().ShouldBeTrue();
        gate.SetLimit(1);
        gate.Held.ShouldBe(3);
        gate.Release();
        gate.Release();
        gate.TryEnter().ShouldBeFalse(); // one still held = the new limit
        gate.Release();
        gate.TryEnter().ShouldBeTrue();
    }

    [Fact]
    public async Task EnterAsync_NoPlaceWithinTheTimeout_ThrowsTimeoutNamingTheCap()
    {
        var gate = new ConcurrencyGate(1);
        gate.TryEnter().ShouldBeTrue();
        var ex = await Should.ThrowAsync<TimeoutException>(() => gate.EnterAsync(TimeSpan.FromMilliseconds(50), TimeProvider.System, Ct).AsTask());
        ex.Message.ShouldContain("caps this instance at 1");
        gate.Waiting.ShouldBe(0);
        gate.Release();
        gate.Held.ShouldBe(0); // the abandoned waiter took no place
    }

    [Fact]
    public async Task EnterAsync_Cancelled_ThrowsCancellationAndLeavesNoPlaceTaken()
    {
        var gate = new ConcurrencyGate(0);
        using var cts = new CancellationTokenSource();
        var waiter = gate.EnterAsync(TimeSpan.FromMinutes(1), TimeProvider.System, cts.Token).AsTask();
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => waiter);
        gate.SetLimit(5);
        gate.Held.ShouldBe(0);
    }

    // Many tasks entering, releasing, cancelling and moving the limit at once: every place is given back exactly once.
    [Fact]
    public async Task Gate_UnderConcurrentUse_BalancesEveryPlace()
    {
        var gate = new ConcurrencyGate(4);
        var workers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < 300; i++)
            {
                using var cts = new CancellationTokenSource(random.Next(0, 3) == 0 ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromMinutes(1));
                try
                {
                    await gate.EnterAsync(TimeSpan.FromMinutes(1), TimeProvider.System, cts.Token);
                }
                catch (OperationCanceledException)
                {
                    continue;
                }
                if (i % 50 == 0) gate.SetLimit(2 + random.Next(0, 5));
                await Task.Yield();
                gate.Release();
            }
        }, Ct)).ToArray();
        gate.SetLimit(4);
        await Task.WhenAll(workers);
        gate.Held.ShouldBe(0);
        gate.Waiting.ShouldBe(0);
    }
}
