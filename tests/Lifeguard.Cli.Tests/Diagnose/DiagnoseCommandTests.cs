using Npgsql;

using Lifeguard.TestSupport;

namespace Lifeguard.Cli.Tests.Diagnose;

public sealed class DiagnoseCommandTests
{
    private static string Server() => TestPostgres.ConnectionString;

    [Fact]
    public async Task Diagnose_ServerWithAnIdleTransactionBlockingAnAlter_ExitsThreeNamingTheRootBlockersPid()
    {
        var ct = TestContext.Current.CancellationToken;
        // A database of its own: the other test assemblies build lock queues of their own on the shared test server at the
        // same time, and the diagnosis judges the database it is pointed at.
        var database = "diag_cli_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(Server()))
        {
            await admin.OpenAsync(ct);
            await using var createDb = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await createDb.ExecuteNonQueryAsync(ct);
        }
        try
        {
            await BlockAndDiagnoseAsync(new NpgsqlConnectionStringBuilder(Server()) { Database = database }.ConnectionString, ct);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(Server());
            await admin.OpenAsync(CancellationToken.None);
            await using var dropDb = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin);
            await dropDb.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task BlockAndDiagnoseAsync(string cs, CancellationToken ct)
    {
        var table = "diag_cli_" + Guid.NewGuid().ToString("N")[..8];
        await using var blocker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { ApplicationName = "diag-cli-blocker", Pooling = false }.ConnectionString);
        await blocker.OpenAsync(ct);
        await using (var create = new NpgsqlCommand($"CREATE TABLE {table} (id int)", blocker)) await create.ExecuteNonQueryAsync(ct);
        await using (var pidCmd = new NpgsqlCommand("SELECT pg_backend_pid()", blocker))
        {
            var pid = (int)(await pidCmd.ExecuteScalarAsync(ct))!;
            await using var tx = await blocker.BeginTransactionAsync(ct);
            await using (var read = new NpgsqlCommand($"SELECT count(*) FROM {table}", blocker, tx)) await read.ExecuteScalarAsync(ct);
            await using var waiter = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
            await waiter.OpenAsync(ct);
            var alter = new NpgsqlCommand($"ALTER TABLE {table} ADD COLUMN x int", waiter) { CommandTimeout = 60 }.ExecuteNonQueryAsync(ct);
            await Task.Delay(1500, ct); // past the rule's one-second lock wait

            using var cli = new CliRunner();
            var (exit, output, json) = await cli.RunAsync("diagnose", "--server", cs, "--samples", "5");

            await tx.RollbackAsync(CancellationToken.None);
            await alter;
            exit.ShouldBe(3, output);
            output.ShouldContain("lock_contention");
            output.ShouldContain($"pid {pid}");
            json!.Value.GetProperty("cause").GetString().ShouldBe("lock_contention");
            json.Value.GetProperty("signals").GetProperty("server").GetProperty("root_blocker").GetProperty("pid").GetInt32().ShouldBe(pid);
        }
        await using var drop = new NpgsqlCommand($"DROP TABLE {table}", blocker);
        await drop.ExecuteNonQueryAsync(ct);
    }

    [Fact]
    public async Task Diagnose_UnreachableManagementAddress_ExitsOneWithTheReason()
    {
        using var cli = new CliRunner();
        var (exit, output, _) = await cli.RunAsync("diagnose", "--url", "http://127.0.0.1:9");
        exit.ShouldBe(1);
        output.ShouldContain("cannot read http://127.0.0.1:9/lifeguard/diagnosis");
    }

    [Fact]
    public async Task Diagnose_NeitherUrlNorServer_ExitsOne()
    {
        using var cli = new CliRunner();
        var (exit, output, _) = await cli.RunAsync("diagnose");
        exit.ShouldBe(1);
        output.ShouldContain("exactly one of --url");
    }
}
