using System.Data.Common;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Lifeguard.Diagnosis;
using Lifeguard.Postgres.Diagnosis;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Diagnosis;

/// <summary>Npgsql's real errors, classified at the provider edge from their types and SQLSTATEs.</summary>
[Collection(DiagnosisCollection.Name)]
public sealed class OpenFailureClassificationTests
{
    [Fact]
    public async Task OpenConnection_RealPoolExhausted_IsAPoolTimeoutFromNpgsqlsTypedError()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var inner = NpgsqlDataSource.Create(TestPostgres.For(1, timeoutSeconds: 1, "lifeguard-classify-pool"));
        await using var guard = new GuardedDataSource(inner, new LifeguardOptions { ErrorClassifier = NpgsqlErrorClassifier.Instance }, ownsInner: false);
        var pool = new PoolSignalSampler(guard);
        pool.Sample();
        await using var held = await guard.OpenConnectionAsync(ct);

        var exhausted = await Should.ThrowAsync<NpgsqlException>(async () => await guard.OpenConnectionAsync(ct));

        exhausted.InnerException.ShouldBeOfType<TimeoutException>();
        NpgsqlErrorClassifier.Instance.Classify(exhausted).ShouldBe(ConnectionErrorKind.PoolTimeout);
        guard.Snapshot().Timeouts.ShouldBe(1);
        var second = pool.Sample();
        second.Timeouts.ShouldBe(1);
        second.Errors.Total.ShouldBe(0);
    }

    [Fact]
    public async Task ReportError_SessionTerminatedByTheServer_Is57P01ServerUnavailable()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var inner = NpgsqlDataSource.Create(TestPostgres.For(2, application: "lifeguard-classify-57p01"));
        await using var guard = new GuardedDataSource(inner, new LifeguardOptions { ErrorClassifier = NpgsqlErrorClassifier.Instance }, ownsInner: false);
        await using var admin = new NpgsqlConnection(TestPostgres.ConnectionString);
        await admin.OpenAsync(ct);

        await using var c = await guard.OpenConnectionAsync(ct);
        var pid = await c.ExecuteScalarAsync<int>("SELECT pg_backend_pid()");
        (await admin.ExecuteScalarAsync<bool>("SELECT pg_terminate_backend(@pid)", new { pid })).ShouldBeTrue();
        var ended = await Should.ThrowAsync<PostgresException>(() => c.ExecuteAsync("SELECT 1"));

        ended.SqlState.ShouldBe(PostgresErrorCodes.AdminShutdown);
        guard.ReportError(ended).ShouldBe(ConnectionErrorKind.ServerUnavailable);
    }

    [Fact]
    public async Task OpenConnection_ServerNeverAnswersTheConnect_IsServerUnavailableNotAPoolTimeout()
    {
        var ct = TestContext.Current.CancellationToken;
        // A server that accepts the TCP connection and never speaks: the connect times out with free slots in the pool.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    accepted.Add(await silent.AcceptSocketAsync(ct));
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        }, ct);
        var cs = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString)
        {
            Port = ((IPEndPoint)silent.LocalEndpoint).Port,
            Timeout = 1,
            MaxPoolSize = 5,
            ApplicationName = "lifeguard-classify-silent",
        }.ConnectionString;
        await using var inner = NpgsqlDataSource.Create(cs);
        await using var guard = new GuardedDataSource(inner, new LifeguardOptions { ErrorClassifier = NpgsqlErrorClassifier.Instance }, ownsInner: false);
        var pool = new PoolSignalSampler(guard);
        pool.Sample();

        var failed = await Should.ThrowAsync<NpgsqlException>(async () => await guard.OpenConnectionAsync(ct));

        var second = pool.Sample();
        second.Timeouts.ShouldBe(0, failed.ToString());
        second.Errors.ServerUnavailable.ShouldBe(1, failed.ToString());
        silent.Stop();
        foreach (var s in accepted) s.Dispose();
    }

    [Theory]
    [InlineData("diagnosis")]
    [InlineData("server-metrics")]
    public async Task AddLifeguardPostgres_GuardFromDependencyInjection_ClassifiesWithNpgsqlsSqlState(string part)
    {
        var ct = TestContext.Current.CancellationToken;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<DbDataSource>(_ => NpgsqlDataSource.Create(TestPostgres.For(2, application: "lifeguard-classify-di")));
        services.AddGuardedDataSource();
        var postgres = services.AddLifeguardPostgres();
        if (part == "server-metrics") postgres.AddServerMetrics();
        await using var provider = services.BuildServiceProvider();
        var guard = provider.GetRequiredService<GuardedDataSource>();

        await using var c = await guard.OpenConnectionAsync(ct);
        var deadlockLike = await Should.ThrowAsync<PostgresException>(() => c.ExecuteAsync("DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '40P01'; END $$"));

        // Without the provider's classifier the core would only know "some exception": Other.
        guard.ReportError(deadlockLike).ShouldBe(ConnectionErrorKind.Deadlock);
    }
}
