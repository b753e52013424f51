using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Lifeguard.Diagnosis;
using Lifeguard.Leases;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Lifeguard.Tests.Leases;

/// <summary>A timed-out open: a wait for a connection only when the pool had none free.</summary>
public sealed class OpenFailedTests
{
    // Npgsql's own shape for both an exhausted pool and a connect that timed out.
    private static NpgsqlException Timeout() => new("The operation has timed out", new TimeoutException());

    [Fact]
    public void OpenFailed_TimeoutWithEverySlotInUse_CountsAPoolTimeout()
    {
        var tracker = Tracker();
        tracker.BeginUnmeasured(new OpenConnection(), null, null); // 1 of 1 in use

        tracker.OpenFailed(Timeout(), CancellationToken.None);

        var s = tracker.Snapshot();
        s.Timeouts.ShouldBe(1);
        s.Errors.ShouldBe(0);
    }

    [Fact]
    public void OpenFailed_TimeoutWithFreeSlots_CountsTheServerUnavailableNotAPoolTimeout()
    {
        var tracker = Tracker(); // 0 of 1 in use: the open was connecting, not waiting for a connection

        tracker.OpenFailed(Timeout(), CancellationToken.None);

        var s = tracker.Snapshot();
        s.Timeouts.ShouldBe(0);
        s.Errors.ShouldBe(1);
        tracker.ReadCumulative().ErrorsByKind[(int)ConnectionErrorKind.ServerUnavailable].ShouldBe(1);
    }

    private static LeaseTracker Tracker() =>
        new(new LifeguardOptions { ReadProviderPoolCounts = false }, "Host=db;Maximum Pool Size=1", null, null, new FakeTimeProvider());

    private sealed class OpenConnection : DbConnection
    {
        [AllowNull] public override string ConnectionString { get; set; } = "";
        public override string Database => "db";
        public override string DataSource => "db";
        public override string ServerVersion => "0";
        public override ConnectionState State => ConnectionState.Open;
        public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();
        public override void Open() => throw new NotSupportedException();
        public override void Close() => throw new NotSupportedException();
        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => throw new NotSupportedException();
        protected override DbCommand CreateDbCommand() => throw new NotSupportedException();
    }
}
