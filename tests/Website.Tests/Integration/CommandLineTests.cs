using System.Diagnostics;
using Npgsql;
using Website.Tests.Infrastructure;

namespace Website.Tests.Integration;

/// <summary>The real `dotnet Website.dll migrate|seed|serve` processes, as run.sh runs them.</summary>
public sealed class CommandLineTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(string? connectionString, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Website.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["ConnectionStrings__Main"] = connectionString ?? "";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    [Theory]
    [InlineData("migrate")]
    [InlineData("seed")]
    [InlineData("--urls=http://127.0.0.1:0")]
    public async Task Verb_MissingConnectionString_ExitsNonZeroWithOneLineNamingTheKey(string verb)
    {
        var (code, output, err) = await RunAsync(null, verb);
        code.ShouldNotBe(0);
        err.Trim().ShouldStartWith("website: ConnectionStrings:Main is missing");
        err.Trim().ShouldNotContain("\n");
        (output + err).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Serve_InvalidConnectionString_ExitsNonZeroWithOneLine()
    {
        var (code, output, err) = await RunAsync("Host=;;;=bogus", "--urls=http://127.0.0.1:0");
        code.ShouldNotBe(0);
        err.Trim().ShouldStartWith("website: ConnectionStrings:Main is invalid");
        (output + err).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Migrate_DatabaseUnreachable_ExitsNonZeroWithoutStackTrace()
    {
        var (code, output, err) = await RunAsync("Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z;Timeout=2", "migrate");
        code.ShouldBe(1);
        err.ShouldContain("ConnectionStrings:Main");
        (output + err).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task MigrateAndSeed_SmallScaleTwice_LoadsOnceWithDemoUser()
    {
        await using var db = await TestDatabase.CreateAsync();
        (await RunAsync(db.ConnectionString, "migrate")).Out.ShouldContain("schema is up to date");

        var first = await RunAsync(db.ConnectionString, "seed", "--scale", "0.01");
        first.Code.ShouldBe(0, first.Err);
        first.Out.ShouldContain("seed: done");
        var second = await RunAsync(db.ConnectionString, "seed", "--scale", "0.01");
        second.Code.ShouldBe(0, second.Err);
        second.Out.ShouldContain("already seeded");

        await using var c = await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            SELECT (SELECT count(*) FROM users),
                   (SELECT count(*) FROM orders),
                   (SELECT count(DISTINCT password_hash) FROM users),
                   (SELECT count(*) FROM users WHERE email IN ('demo@lifeguard.local', 'user00010@lifeguard.local')),
                   (SELECT count(*) FROM orders o JOIN users u ON u.workspace_id = o.workspace_id WHERE u.email = 'demo@lifeguard.local')
            """, c);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        r.GetInt64(0).ShouldBe(11);
        r.GetInt64(1).ShouldBe(20_000);
        r.GetInt64(2).ShouldBe(1);
        r.GetInt64(3).ShouldBe(2);
        r.GetInt64(4).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Seed_SameScaleInTwoDatabases_ProducesIdenticalOrders()
    {
        await using var a = await TestDatabase.CreateAsync();
        await using var b = await TestDatabase.CreateAsync();
        (await RunAsync(a.ConnectionString, "seed", "--scale", "0.002")).Code.ShouldBe(0);
        (await RunAsync(b.ConnectionString, "seed", "--scale", "0.002")).Code.ShouldBe(0);

        // Timestamps are relative to the moment of seeding; everything else must match exactly.
        const string fingerprint = "SELECT md5(string_agg(concat_ws(',', customer_id, product_id, quantity, amount_cents, status), ';' ORDER BY id)) FROM orders";
        await using var ca = await a.OpenAsync();
        await using var cb = await b.OpenAsync();
        await using var qa = new NpgsqlCommand(fingerprint, ca);
        await using var qb = new NpgsqlCommand(fingerprint, cb);
        ((string)(await qa.ExecuteScalarAsync())!).ShouldBe((string)(await qb.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Seed_BadScale_ExitsTwo()
    {
        var (code, _, err) = await RunAsync("Host=127.0.0.1", "seed", "--scale", "-1");
        code.ShouldBe(2);
        err.ShouldContain("--scale");
    }
}
