using Incidents.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Incidents.Tests.Unit;

public sealed class PollingWorkerTests
{
    private sealed class QueueWorker(WorkSignal<QueueWorker> signal, TimeSpan poll) : PollingWorker<QueueWorker>(signal, NullLogger.Instance)
    {
        private readonly object _gate = new();
        public int Due;
        public int Done;
        public int Rounds;
        public bool FailNext;
        public TaskCompletionSource Drained { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override TimeSpan PollInterval => poll;

        protected override string Name => "test worker";

        protected override Task<bool> WorkOnceAsync(CancellationToken ct)
        {
            lock (_gate)
            {
                Rounds++;
                if (FailNext)
                {
                    FailNext = false;
                    throw new NpgsqlException("the database is away");
                }

                if (Due == 0)
                {
                    Drained.TrySetResult();
                    return Task.FromResult(false);
                }

                Due--;
                Done++;
                return Task.FromResult(true);
            }
        }
    }

    [Fact]
    public async Task Wake_AfterWorkArrives_DrainsEveryDueJobWithoutWaitingForThePoll()
    {
        var signal = new WorkSignal<QueueWorker>();
        using var worker = new QueueWorker(signal, TimeSpan.FromHours(1));
        await worker.StartAsync(TestContext.Current.CancellationToken);
        await worker.Drained.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        worker.Drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref worker.Due, 3);
        signal.Wake();
        await worker.Drained.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        worker.Done.ShouldBe(3);
        await worker.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task WorkOnce_DatabaseUnreachable_RetriesAtTheNextPoll()
    {
        var signal = new WorkSignal<QueueWorker>();
        using var worker = new QueueWorker(signal, TimeSpan.FromMilliseconds(20)) { FailNext = true, Due = 1 };
        await worker.StartAsync(TestContext.Current.CancellationToken);
        await worker.Drained.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        worker.Done.ShouldBe(1);
        worker.ExecuteTask!.IsFaulted.ShouldBeFalse();
        await worker.StopAsync(CancellationToken.None);
        worker.ExecuteTask.IsCompletedSuccessfully.ShouldBeTrue();
    }

    [Fact]
    public async Task Wake_Twice_IsOneWakeUp()
    {
        var signal = new WorkSignal<QueueWorker>();
        signal.Wake();
        signal.Wake();
        (await signal.WaitAsync(TimeSpan.Zero, TestContext.Current.CancellationToken)).ShouldBeTrue();
        (await signal.WaitAsync(TimeSpan.Zero, TestContext.Current.CancellationToken)).ShouldBeFalse();
    }
}
