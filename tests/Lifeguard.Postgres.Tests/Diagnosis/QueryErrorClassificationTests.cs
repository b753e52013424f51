using Dapper;
using Lifeguard.Diagnosis;
using Lifeguard.Postgres.Diagnosis;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Diagnosis;

[Collection(DiagnosisCollection.Name)]
public sealed class QueryErrorClassificationTests
{
    [Fact]
    public async Task ReportError_RealLockAndStatementTimeouts_AreCountedByKindFromTheirSqlState()
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = TestPostgres.ConnectionString;
        var table = "diag_err_" + Guid.NewGuid().ToString("N")[..8];
        await using var inner = NpgsqlDataSource.Create(cs);
        await using var guard = new GuardedDataSource(inner, new LifeguardOptions { ErrorClassifier = NpgsqlErrorClassifier.Instance }, ownsInner: false);
        var pool = new PoolSignalSampler(guard);
        pool.Sample();
        await using var holder = new NpgsqlConnection(cs);
        await holder.OpenAsync(ct);
        await holder.ExecuteAsync($"CREATE TABLE {table} (id int)");
        await using var tx = await holder.BeginTransactionAsync(ct);
        await holder.ExecuteAsync($"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", transaction: tx);

        await using (var c = await guard.OpenConnectionAsync(ct))
        {
            var lockTimeout = await Should.ThrowAsync<PostgresException>(() => c.ExecuteAsync($"SET lock_timeout = '100ms'; SELECT count(*) FROM {table}"));
            guard.ReportError(lockTimeout).ShouldBe(ConnectionErrorKind.LockTimeout);
            var statementTimeout = await Should.ThrowAsync<PostgresException>(() => c.ExecuteAsync("SET lock_timeout = 0; SET statement_timeout = '100ms'; SELECT pg_sleep(2)"));
            guard.ReportError(statementTimeout).ShouldBe(ConnectionErrorKind.StatementTimeout);
        }
        await tx.RollbackAsync(ct);
        await holder.ExecuteAsync($"DROP TABLE {table}");

        var second = pool.Sample();
        second.Errors.LockTimeouts.ShouldBe(1);
        second.Errors.StatementTimeouts.ShouldBe(1);
        second.Errors.Other.ShouldBe(0);
    }

    [Theory]
    [InlineData("53300", ConnectionErrorKind.TooManyConnections)]
    [InlineData("57P01", ConnectionErrorKind.ServerUnavailable)]
    [InlineData("57P03", ConnectionErrorKind.ServerUnavailable)]
    [InlineData("08006", ConnectionErrorKind.ServerUnavailable)]
    [InlineData("40P01", ConnectionErrorKind.Deadlock)]
    [InlineData("55P03", ConnectionErrorKind.LockTimeout)]
    [InlineData("57014", ConnectionErrorKind.StatementTimeout)]
    [InlineData("28P01", ConnectionErrorKind.Other)]
    public void FromSqlState_KnownCodes_MapToTheirKind(string sqlState, ConnectionErrorKind kind) =>
        NpgsqlErrorClassifier.FromSqlState(sqlState).ShouldBe(kind);

    [Fact]
    public void Classify_NpgsqlPoolExhaustion_IsAPoolTimeoutByType()
    {
        NpgsqlErrorClassifier.Instance.Classify(new NpgsqlException("any text", new TimeoutException())).ShouldBe(ConnectionErrorKind.PoolTimeout);
        NpgsqlErrorClassifier.Instance.Classify(new InvalidOperationException("The connection pool has been exhausted")).ShouldBeNull();
    }
}
