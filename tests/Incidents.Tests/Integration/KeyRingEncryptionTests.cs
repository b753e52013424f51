using System.Net;
using Dapper;
using Incidents.Tests.Infrastructure;
using Lifeguard.Kit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Incidents.Tests.Integration;

/// <summary>
/// The cookie-signing key ring in the database is encrypted under Incidents:KeyEncryptionKeyFile: the table holds no
/// key in clear, a restart with the same file keeps everyone logged in, a different file is refused at start.
/// </summary>
public sealed class KeyRingEncryptionTests
{
    [Fact]
    public async Task KeyRing_StoredEncrypted_SurvivesARestartWithTheSameKey_RefusesAnother()
    {
        await using var db = await TestDatabase.CreateAsync();
        string cookie;
        await using (var first = await RunningService.StartAsync(db.ConnectionString))
        {
            // a user of its own: each start (re)sets the fixture's users, and setting a password ends that user's sessions
            await first.Services.GetRequiredService<Incidents.Access.UserStore>().SetAsync("kek@lifeguard.local", "viewer", RunningService.Password, CancellationToken.None);
            using var login = new UiClient(first.BaseAddress);
            (await login.LoginAsync("kek@lifeguard.local", RunningService.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
            cookie = login.Cookies.GetCookies(first.BaseAddress).Single(c => c.Name.EndsWith("incidents.auth", StringComparison.Ordinal)).Value;
        }

        await using (var conn = new NpgsqlConnection(db.ConnectionString))
        {
            var rows = (await conn.QueryAsync<string>("SELECT xml FROM data_protection_keys")).ToList();
            rows.ShouldNotBeEmpty();
            rows.ShouldAllBe(x => !x.Contains("<masterKey", StringComparison.Ordinal) && x.Contains("encryptedKey", StringComparison.Ordinal));
        }

        await using (var second = await RunningService.StartAsync(db.ConnectionString))
        {
            using var again = new UiClient(second.BaseAddress);
            again.Cookies.Add(second.BaseAddress, new Cookie("incidents.auth", cookie, "/"));
            (await again.Http.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.OK, "the same key-encryption key reads the ring: the session goes on");
        }

        var other = Path.GetTempFileName();
        await File.WriteAllTextAsync(other, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        try
        {
            var ex = await Should.ThrowAsync<StartupConfigurationException>(async () =>
            {
                await using var wrong = await RunningService.StartAsync(db.ConnectionString, new Dictionary<string, string?> { ["Incidents:KeyEncryptionKeyFile"] = other });
            });
            ex.Message.ShouldContain("does not decrypt the key ring");
        }
        finally
        {
            File.Delete(other);
        }
    }

    [Fact]
    public async Task Start_WithoutAKeyEncryptionKeyFile_IsRefusedWithOneLine()
    {
        await using var db = await TestDatabase.CreateAsync();
        var ex = await Should.ThrowAsync<StartupConfigurationException>(async () =>
        {
            await using var s = await RunningService.StartAsync(db.ConnectionString, new Dictionary<string, string?> { ["Incidents:KeyEncryptionKeyFile"] = null });
        });
        ex.Message.ShouldStartWith("Incidents:KeyEncryptionKeyFile is not set");
    }
}
