using Lifeguard.Configuration;

namespace Lifeguard.Tests.Configuration;

public sealed class SessionStateScannerTests
{
    private static SessionStateKind[] Kinds(string file, string text) => SessionStateScanner.Scan(file, text).Select(u => u.Kind).ToArray();

    [Fact]
    public void Scan_CSharpWithSessionState_FindsEachKindWithItsLine()
    {
        const string code = """
            await conn.ExecuteAsync("SET search_path TO tenant_1");
            await conn.ExecuteAsync("SELECT pg_advisory_lock(@id)", new { id });
            await using var listen = new NpgsqlCommand("LISTEN orders_changed", conn);
            await conn.ExecuteAsync("CREATE TEMP TABLE staging (id int)");
            cmd.Prepare();
            """;
        var uses = SessionStateScanner.Scan("Data/Repo.cs", code);
        uses.Select(u => (u.Kind, u.Line)).ShouldBe([
            (SessionStateKind.SessionSet, 1), (SessionStateKind.AdvisoryLock, 2), (SessionStateKind.Listen, 3),
            (SessionStateKind.TemporaryTable, 4), (SessionStateKind.ExplicitPrepare, 5)]);
        uses[0].Text.ShouldBe("SET search_path TO");
        uses[0].File.ShouldBe("Data/Repo.cs");
    }

    [Theory]
    [InlineData("\"UPDATE users SET name = @n WHERE id = @id\"")]
    [InlineData("\"INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = excluded.a\"")]
    [InlineData("\"SET LOCAL statement_timeout = '5s'\"")]
    [InlineData("\"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE\"")]
    [InlineData("\"SELECT pg_advisory_xact_lock(42)\"")]
    [InlineData("\"CREATE TEMP TABLE s (id int) ON COMMIT DROP\"")]
    [InlineData("// we listen for changes elsewhere")]
    public void Scan_TransactionSafeSql_FindsNothing(string line)
    {
        Kinds("a.cs", line).ShouldBeEmpty();
    }

    [Fact]
    public void Scan_MultiLineUpdateInSqlFile_IsNotASessionSet()
    {
        Kinds("m.sql", "UPDATE orders\n   SET status = 'done'\n WHERE id = 1;\nSET work_mem = '64MB';\n").ShouldBe([SessionStateKind.SessionSet]);
    }

    [Fact]
    public void Scan_PrepareCallInSqlFile_IsNotCSharp()
    {
        // .Prepare( counts only in C#; SQL's own PREPARE counts everywhere.
        Kinds("m.sql", "-- x.Prepare(\nPREPARE q AS SELECT 1;").ShouldBe([SessionStateKind.ExplicitPrepare]);
    }

    [Fact]
    public void ScanDirectory_SkipsBinObjAndOtherFiles_PathsRelative()
    {
        var dir = Directory.CreateTempSubdirectory("scan-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "src"));
            Directory.CreateDirectory(Path.Combine(dir, "obj"));
            File.WriteAllText(Path.Combine(dir, "src", "Lock.cs"), "db.Execute(\"SELECT pg_try_advisory_lock(1)\");");
            File.WriteAllText(Path.Combine(dir, "obj", "Gen.cs"), "db.Execute(\"LISTEN x\");");
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "SET a = 1");
            var use = SessionStateScanner.ScanDirectory(dir).ShouldHaveSingleItem();
            use.Kind.ShouldBe(SessionStateKind.AdvisoryLock);
            use.File.ShouldBe(Path.Combine("src", "Lock.cs"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
