namespace Lifeguard.Fleet;

/// <summary>A counting gate whose limit can move while leases are out: the fleet governor's cap on how many connections
/// this instance leases at once. Lowering the limit takes nothing back from current holders; new leases wait until
/// enough are returned. Waiters are served first come, first served.</summary>
internal sealed class ConcurrencyGate
{
    private readonly object _lock = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _limit;
    private int _held;

    public ConcurrencyGate(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 0);
        _limit = limit;
    }

    public int Limit => Volatile.Read(ref _limit);

    public int Held => Volatile.Read(ref _held);

    public int Waiting
    {
        get { lock (_lock) return _waiters.Count; }
    }

    /// <summary>Takes a place at once if one is free (and nobody queues before us).</summary>
    public bool TryEnter()
    {
        lock (_lock)
        {
            if (_held >= _limit || _waiters.Count > 0) return false;
            _held++;
            return true;
        }
    }

    /// <summary>Waits for a place; throws <see cref="TimeoutException"/> after <paramref name="timeout"/> (the way a
    /// provider's pool reports exhaustion, so the guard classifies it the same) and honours cancellation.</summary>
    public async ValueTask EnterAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        LinkedListNode<TaskCompletionSource> node;
        lock (_lock)
        {
            if (_held < _limit && _waiters.Count == 0)
            {
                _held++;
                return;
            }
            node = _waiters.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        using var timeoutCts = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        await using (linked.Token.Register(() => Abandon(node)).ConfigureAwait(false))
        {
            try
            {
                await node.Value.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(FormattableString.Invariant(
                    $"No connection within {timeout.TotalSeconds:0.#} s: the fleet governor caps this instance at {Limit} connection(s) at once and all were in use."));
            }
        }
    }

    // A waiter that gave up leaves the queue. If a grant took it out in the same instant, whichever of the two settles
    // the task first wins: a grant that finds it cancelled gives the place back (Wake), so it is never released twice.
    private void Abandon(LinkedListNode<TaskCompletionSource> node)
    {
        lock (_lock)
        {
            if (node.List is not null) _waiters.Remove(node);
        }
        node.Value.TrySetCanceled();
    }

    public void Release()
    {
        List<TaskCompletionSource>? wake;
        lock (_lock)
        {
            _held--;
            wake = GrantLocked();
        }
        Wake(wake);
    }

    public void SetLimit(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 0);
        List<TaskCompletionSource>? wake;
        lock (_lock)
        {
            _limit = limit;
            wake = GrantLocked();
        }
        Wake(wake);
    }

    private List<TaskCompletionSource>? GrantLocked()
    {
        List<TaskCompletionSource>? wake = null;
        while (_held < _limit && _waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            _held++;
            (wake ??= []).Add(first.Value);
        }
        return wake;
    }

    private void Wake(List<TaskCompletionSource>? wake)
    {
        if (wake is null) return;
        // A waiter cancelled between the grant and here gives its place back.
        foreach (var w in wake) if (!w.TrySetResult()) Release();
    }
}
