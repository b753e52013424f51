using Lifeguard.Telemetry;

namespace Lifeguard.Leases;

/// <summary>One thread's notes for one tracker: hold times of the leases it closed and the count of opens it served
/// without waiting. The owning thread writes without atomics (a plain store publishes each note); the tracker folds
/// the notes into its histograms under a lock whenever somebody reads them, or when the journal is full. This keeps
/// shared histogram atomics (two to three per lease, contended across cores) off the lease hot path.</summary>
/// <remarks>Single producer (the owner thread), single consumer (whoever holds the tracker's fold lock). The spare
/// lease lives here too, so the hot path reaches both with one thread-static read.</remarks>
internal sealed class LeaseJournal(LeaseTracker tracker, Thread owner)
{
    internal const int Capacity = 256; // power of two; 4 KiB of notes per thread and pool

    private readonly HoldNote[] _notes = new HoldNote[Capacity];
    private long _written;        // owner only; published with Volatile.Write after the note is complete
    private long _folded;         // consumer only; published so the owner knows which slots are free again
    private long _zeroWaits;      // owner only
    private long _zeroWaitsFolded; // consumer only

    public LeaseTracker Tracker { get; } = tracker;

    public Thread Owner { get; } = owner;

    /// <summary>A recycled lease for the next open on this thread (owner only).</summary>
    public Lease? Spare;

    /// <summary>Notes a hold of <paramref name="heldTimestamps"/> (tracker clock units); false when the journal is full.</summary>
    public bool TryNoteHold(string? operation, long heldTimestamps)
    {
        var n = _written;
        if (n - Volatile.Read(ref _folded) >= Capacity) return false;
        ref var note = ref _notes[n & (Capacity - 1)];
        if (!ReferenceEquals(note.Operation, operation)) note.Operation = operation; // no write barrier for the same route
        note.Held = heldTimestamps;
        Volatile.Write(ref _written, n + 1);
        return true;
    }

    /// <summary>Notes an open served at once (zero wait).</summary>
    public void NoteZeroWait() => Volatile.Write(ref _zeroWaits, _zeroWaits + 1);

    /// <summary>Hands every published note to the tracker's hold histograms and returns the zero waits since the last
    /// fold. Caller holds the tracker's fold lock, which makes it the single consumer.</summary>
    public long Fold(double timestampToMicros)
    {
        var written = Volatile.Read(ref _written);
        // Notes come in runs of one operation: the histogram is looked up once per run.
        LatencyHistogram? histogram = null;
        string? histogramOperation = null;
        for (var i = _folded; i < written; i++)
        {
            ref var note = ref _notes[i & (Capacity - 1)];
            if (histogram is null || !ReferenceEquals(note.Operation, histogramOperation))
            {
                histogramOperation = note.Operation;
                histogram = Tracker.HoldHistogramOf(histogramOperation);
            }
            histogram.RecordMicrosUnderLock((long)(note.Held * timestampToMicros));
        }
        Volatile.Write(ref _folded, written);
        var zero = Volatile.Read(ref _zeroWaits);
        var delta = zero - _zeroWaitsFolded;
        _zeroWaitsFolded = zero;
        return delta;
    }

    /// <summary>True when the owner thread has ended and every note is folded: nothing can be added any more.</summary>
    public bool Retired => !Owner.IsAlive && Volatile.Read(ref _written) == _folded && Volatile.Read(ref _zeroWaits) == _zeroWaitsFolded;

    private struct HoldNote
    {
        public string? Operation;
        public long Held;
    }
}
