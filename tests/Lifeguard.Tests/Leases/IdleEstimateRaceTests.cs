using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Lifeguard.Leases;
using Lifeguard.Tests.Leases;
using Microsoft.Extensions.Time.Testing;

namespace Lifeguard.Tests.Leases;

/// <summary>The idle estimate's reset of the peak against an open that raises it at the same moment.</summary>
public sealed class IdleEstimateRaceTests
{
    [Fact]
    public void Idle_OpenRaisesThePeakWhileTheEstimateResetsIt_ThePeakOfTheOpenSurvives()
    {
        var time = new HookedTime();
        var tracker = new LeaseTracker(new LifeguardOptions { ReadProviderPoolCounts = false }, "Host=db;Maximum Pool Size=10", null, null, time);
        var a = new FakeConnection();
        var b = new FakeConnection();
        tracker.BeginUnmeasured(a, null, null); // peak 1
        time.Advance(TimeSpan.FromSeconds(301)); // past the idle lifetime: the next estimate lowers the peak to what is in use

        // The estimate reads the peak (1) and the clock; on that clock read, another thread's open raises the peak to 2.
        time.OnNextTimestamp = () => tracker.BeginUnmeasured(b, null, null);
        _ = tracker.Idle;

        a.Close();
        b.Close();
        // Both connections were open a moment ago, so the provider keeps two idle; a reset written over the open's
        // peak (a plain store instead of a compare-and-swap) would say one.
        tracker.InUse.ShouldBe(0);
        tracker.Idle.ShouldBe(2);
    }

    // Only what a lease uses: the StateChange event on close.
    private sealed class FakeConnection : DbConnection
    {
        private ConnectionState _state = ConnectionState.Open;

        [AllowNull] public override string ConnectionString { get; set; } = "";
        public override string Database => "db";
        public override string DataSource => "db";
        public override string ServerVersion => "0";
        public override ConnectionState State => _state;
        public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();
        public override void Open() => throw new NotSupportedException();

        public override void Close()
        {
            _state = ConnectionState.Closed;
            OnStateChange(new StateChangeEventArgs(ConnectionState.Open, ConnectionState.Closed));
        }

        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => throw new NotSupportedException();
        protected override DbCommand CreateDbCommand() => throw new NotSupportedException();
    }
}
