using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Npgsql;

namespace Lifeguard.Benchmarks;

/// <summary>The guard's own cost per lease, without a database: open+close of a provider-free connection whose open
/// completes at once, raw against guarded, in alternating batches. Npgsql's ~240 ns (and its run-to-run variance) is
/// taken out, so what is left is only what the guard adds, in nanoseconds.</summary>
internal static class GuardOverheadRun
{
    public static void Run(int rounds, int batch)
    {
        using var raw = new InstantDataSource();
        using var guarded = new GuardedDataSource(new InstantDataSource(), new LifeguardOptions { PoolName = "overhead", MaxPoolSize = 4 });
        using var noOps = new GuardedDataSource(new InstantDataSource(),
            new LifeguardOptions { PoolName = "overhead-no-operations", MaxPoolSize = 4, TrackOperations = false });
        (string Name, DbDataSource Source)[] variants = [("raw (no provider work)", raw), ("guarded", guarded), ("guarded, TrackOperations off", noOps)];
        var times = Stats.RotatedRounds(variants.Length, rounds, warmup: 500_000, batch, (i, n) => Batch(variants[i].Source, n));
        Console.WriteLine($"guard overhead without a database: {rounds} rounds x {batch} open+close per variant");
        for (var i = 0; i < variants.Length; i++)
        {
            var extra = new double[rounds];
            for (var r = 0; r < rounds; r++) extra[r] = times[i][r] - times[0][r];
            Console.WriteLine($"{variants[i].Name,-32} median {Stats.Percentile(times[i], 0.5),6:F1} ns   added per lease: median {Stats.Percentile(extra, 0.5),5:F1} ns " +
                              $"(p25 {Stats.Percentile(extra, 0.25):F1}, p75 {Stats.Percentile(extra, 0.75):F1})");
        }
    }

    /// <summary>A fixed amount of work for an instruction counter (valgrind --tool=callgrind): <paramref name="warmup"/>
    /// leases to let the JIT reach its final tier, then <paramref name="leases"/> more, of one variant only. Two runs
    /// that differ only in <paramref name="leases"/> give the instructions per lease by difference (bench/guard-instructions.sh).</summary>
    public static void Count(string variant, int warmup, int leases)
    {
        using var source = Variant(variant);
        // Tiered compilation installs optimised code from a background thread: pauses let it finish (under valgrind
        // threads take turns), so the measured batch runs the final code whatever the machine's speed.
        for (var i = 0; i < 3; i++)
        {
            Batch(source, warmup);
            Thread.Sleep(1000);
        }
        Batch(source, leases);
    }

    internal static readonly string[] VariantNames = ["raw", "guarded", "guarded-no-operations", "pg-raw", "pg-guarded"];

    // The PostgreSQL variants open through CreateConnection + OpenAsync, the call shape the guard uses on its provider,
    // so the difference between them is the guard's alone; LIFEGUARD_BENCH_PG names the server (a warm pool of 4).
    private static NpgsqlDataSource Postgres(string application)
    {
        var cs = Environment.GetEnvironmentVariable("LIFEGUARD_BENCH_PG") is { Length: > 0 } env
            ? env
            : "Host=127.0.0.1;Port=54329;Username=lifeguard;Password=lifeguard;Database=lifeguard";
        return NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = 4, ApplicationName = application }.ConnectionString);
    }

    private static DbDataSource Variant(string name) => name switch
    {
        "raw" => new InstantDataSource(),
        "guarded" => new GuardedDataSource(new InstantDataSource(), new LifeguardOptions { PoolName = "overhead", MaxPoolSize = 4 }),
        "guarded-no-operations" => new GuardedDataSource(new InstantDataSource(),
            new LifeguardOptions { PoolName = "overhead-no-operations", MaxPoolSize = 4, TrackOperations = false }),
        "pg-raw" => new CreateThenOpenDataSource(Postgres("lifeguard-bench-count")),
        "pg-guarded" => new GuardedDataSource(Postgres("lifeguard-bench-count"), new LifeguardOptions { PoolName = "count" }),
        _ => throw new ArgumentException($"unknown variant '{name}' ({string.Join(", ", VariantNames)})", nameof(name)),
    };

    private static double Batch(DbDataSource source, int n)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            var open = source.OpenConnectionAsync();
            var connection = open.Result;
            connection.DisposeAsync().GetAwaiter().GetResult();
        }
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / n;
    }

    /// <summary>The provider's data source opened as the guard opens it: CreateConnection, then OpenAsync.</summary>
    private sealed class CreateThenOpenDataSource(DbDataSource inner) : DbDataSource
    {
        public override string ConnectionString => inner.ConnectionString;

        protected override DbConnection CreateDbConnection() => inner.CreateConnection();

        protected override ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken = default)
        {
            var connection = inner.CreateConnection();
            var open = connection.OpenAsync(cancellationToken);
            return open.IsCompletedSuccessfully ? new ValueTask<DbConnection>(connection) : Slow(connection, open);

            static async ValueTask<DbConnection> Slow(DbConnection connection, Task open)
            {
                await open.ConfigureAwait(false);
                return connection;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>A data source whose connections open and close at once, raising StateChange like a real provider.</summary>
    private sealed class InstantDataSource : DbDataSource
    {
        public override string ConnectionString => "Host=overhead;Maximum Pool Size=4";

        protected override DbConnection CreateDbConnection() => new InstantConnection();
    }

    private sealed class InstantConnection : DbConnection
    {
        private static readonly StateChangeEventArgs s_opened = new(ConnectionState.Closed, ConnectionState.Open);
        private static readonly StateChangeEventArgs s_closed = new(ConnectionState.Open, ConnectionState.Closed);
        private ConnectionState _state;

        // As Npgsql does: a Component's finalizer would otherwise dominate the measurement.
        public InstantConnection() => GC.SuppressFinalize(this);

        [AllowNull] public override string ConnectionString { get; set; } = "";
        public override string Database => "overhead";
        public override string DataSource => "overhead";
        public override string ServerVersion => "0";
        public override ConnectionState State => _state;

        public override void Open()
        {
            _state = ConnectionState.Open;
            OnStateChange(s_opened);
        }

        public override Task OpenAsync(CancellationToken cancellationToken)
        {
            Open();
            return Task.CompletedTask;
        }

        public override void Close()
        {
            if (_state == ConnectionState.Closed) return;
            _state = ConnectionState.Closed;
            OnStateChange(s_closed);
        }

        public override ValueTask DisposeAsync()
        {
            Close();
            return ValueTask.CompletedTask;
        }

        public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();
        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => throw new NotSupportedException();
        protected override DbCommand CreateDbCommand() => throw new NotSupportedException();
    }
}
