using Lifeguard.Postgres.Pooler;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Pooler;

/// <summary>The admin console client against a real PgBouncer: each authentication method, SHOW parsing, errors.</summary>
public sealed class PgBouncerConsoleTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("md5")]
    [InlineData("scram-sha-256")]
    public async Task OpenAsync_EachAuthMethod_LogsInAndShowsTheVersion(string authType)
    {
        await using var bouncer = await TestPgBouncer.StartAsync("transaction", $"auth_type = {authType}");
        var ct = TestContext.Current.CancellationToken;

        await using var console = await PgBouncerConsole.OpenAsync(bouncer.AdminConnectionString, ct);
        var version = await console.QueryAsync("SHOW VERSION", ct);

        version.Rows.ShouldHaveSingleItem()[0]!.ShouldStartWith("PgBouncer 1.");
    }

    [Fact]
    public async Task OpenAsync_WrongPassword_SaysTheConsoleRefusedTheUser()
    {
        await using var bouncer = await TestPgBouncer.StartAsync();
        var wrong = new NpgsqlConnectionStringBuilder(bouncer.AdminConnectionString) { Password = "not-the-password" }.ConnectionString;

        var e = await Should.ThrowAsync<InvalidOperationException>(() => PgBouncerConsole.OpenAsync(wrong, TestContext.Current.CancellationToken));

        e.Message.ShouldContain("refused user");
        e.Message.ShouldContain("08P01"); // PgBouncer's code for a failed login (PostgreSQL says 28P01)
    }

    [Fact]
    public async Task OpenAsync_NothingListening_SaysItCannotReachTheConsole()
    {
        var e = await Should.ThrowAsync<InvalidOperationException>(() =>
            PgBouncerConsole.OpenAsync("Host=127.0.0.1;Port=1;Username=x;Password=y;Timeout=2", TestContext.Current.CancellationToken));

        e.Message.ShouldContain("Cannot reach the pooler's admin console at 127.0.0.1:1");
    }

    [Fact]
    public async Task QueryAsync_ShowPoolsAfterAClientQueried_ParsesThePairsRowWithNamedColumns()
    {
        await using var bouncer = await TestPgBouncer.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var app = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Port = bouncer.Port, NoResetOnClose = true, Pooling = false };
        await using (var client = new NpgsqlConnection(app.ConnectionString))
        {
            await client.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT 1", client);
            await cmd.ExecuteScalarAsync(ct);
        }
        await using var console = await PgBouncerConsole.OpenAsync(bouncer.AdminConnectionString, ct);

        var pools = await console.QueryAsync("SHOW POOLS", ct);

        pools.Columns.ShouldContain("cl_waiting");
        pools.Columns.ShouldContain("maxwait_us");
        var pair = pools.Records().Single(r => r["database"] == app.Database && r["user"] == app.Username);
        int.Parse(pair["sv_idle"]!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(1); // the server connection the query used, back in the pool
        pair["pool_mode"].ShouldBe("transaction");
        // An empty column is "" and a missing one is not made up.
        (await console.QueryAsync("SHOW SERVERS", ct)).Records().Single()["link"].ShouldBe("");
    }

    [Fact]
    public async Task QueryAsync_UnknownCommand_ThrowsTheConsolesErrorAndTheConnectionStaysUsable()
    {
        await using var bouncer = await TestPgBouncer.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var console = await PgBouncerConsole.OpenAsync(bouncer.AdminConnectionString, ct);

        var e = await Should.ThrowAsync<InvalidOperationException>(() => console.QueryAsync("SHOW NOTHING_AT_ALL", ct));

        e.Message.ShouldContain("SHOW NOTHING_AT_ALL");
        (await console.QueryAsync("SHOW LISTS", ct)).Rows.ShouldNotBeEmpty();
    }

    [Fact]
    public void ScramSha256_Rfc7677Vector_ProducesTheProofAndVerifiesTheServer()
    {
        // RFC 7677 section 3 (user "user", password "pencil"); PostgreSQL leaves n= empty, so the vector's client-first-bare
        // is rebuilt with the RFC's nonce and the proof is checked against an independent computation of the same formula.
        var scram = new ScramSha256("pencil", "rOprNGfwEbeRWgbNEkqO");
        scram.ClientFirst().ShouldBe("n,,n=,r=rOprNGfwEbeRWgbNEkqO");
        var serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

        var final = scram.ClientFinal(serverFirst);

        final.ShouldStartWith("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=");
        var auth = "n=,r=rOprNGfwEbeRWgbNEkqO," + serverFirst + ",c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        var salted = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2("pencil"u8.ToArray(), Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
        var serverKey = System.Security.Cryptography.HMACSHA256.HashData(salted, "Server Key"u8);
        var serverSignature = System.Security.Cryptography.HMACSHA256.HashData(serverKey, System.Text.Encoding.UTF8.GetBytes(auth));
        scram.VerifyServerFinal("v=" + Convert.ToBase64String(serverSignature)).ShouldBeTrue();
        scram.VerifyServerFinal("v=" + Convert.ToBase64String(new byte[32])).ShouldBeFalse();
    }

    [Fact]
    public void Md5Password_PostgresScheme_MatchesTheDigestComputedWithMd5sum()
    {
        // printf secretalice | md5sum, then that hex followed by the salt bytes 01 02 03 04 through md5sum again.
        PgBouncerConsole.Md5Password("alice", "secret", [1, 2, 3, 4]).ShouldBe("md598a0412b9c31436fc53776e863350083");
    }
}
