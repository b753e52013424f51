using Lifeguard.Telemetry;

namespace Lifeguard.Leases;

// The journals: each thread notes the leases it ends in its own journal (no shared write on the hot path); readers fold
// every journal into the shared histograms first.
internal sealed partial class LeaseTracker
{
    // Each thread's journal for the pool it used last (hot path), and for every pool it used (a thread may serve several).
    [ThreadStatic] private static LeaseJournal? t_journal;
    [ThreadStatic] private static List<LeaseJournal>? t_journals;
    // Every live journal, copy-on-write under _foldLock; folded into the histograms whenever they are read.
    private LeaseJournal[] _journals = [];
    private readonly Lock _foldLock = new();

    /// <summary>Moves every journal's notes into the hold histograms and the recent-wait window. Readers call it first,
    /// so what they see includes every lease closed before; a thread whose journal is full calls it too.</summary>
    internal void Fold()
    {
        lock (_foldLock)
        {
            var now = Now();
            var retired = 0;
            foreach (var journal in _journals)
            {
                var zeros = journal.Fold(_timestampToMicros);
                _recentWait.RecordZeros(zeros, now);
                if (zeros > 0) _waitTotal.RecordZeros(zeros);
                if (journal.Retired) retired++;
            }
            // Journals of threads that have ended hold nothing more: drop them so short-lived threads do not pile up.
            if (retired > 0) _journals = [.. _journals.Where(j => !j.Retired)];
        }
    }

    /// <summary>Journals currently kept (one per thread that used this pool and is alive or not yet folded).</summary>
    internal int JournalCount => Volatile.Read(ref _journals).Length;

    // The histogram a hold of this operation goes to; written only by LeaseJournal.Fold under _foldLock.
    internal LatencyHistogram HoldHistogramOf(string? operation) => _operations?.HistogramOf(operation) ?? _hold!;

    private LeaseJournal Journal()
    {
        var journal = t_journal;
        return journal is not null && ReferenceEquals(journal.Tracker, this) ? journal : SwitchJournal();
    }

    private LeaseJournal SwitchJournal()
    {
        var mine = t_journals ??= [];
        // Journals of disposed pools are forgotten here, so a thread does not keep them alive.
        mine.RemoveAll(j => j.Tracker._disposed);
        foreach (var journal in mine)
        {
            if (ReferenceEquals(journal.Tracker, this)) return t_journal = journal;
        }
        var created = new LeaseJournal(this, Thread.CurrentThread);
        lock (_foldLock) _journals = [.. _journals, created];
        mine.Add(created);
        return t_journal = created;
    }

    // One spare lease per thread and pool: open/close pairs mostly run on one thread, so recycling needs no atomics.
    private Lease Rent(LeaseJournal journal)
    {
        var lease = journal.Spare;
        if (lease is null) return new Lease(this);
        journal.Spare = null;
        return lease;
    }
}
