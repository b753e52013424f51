using Npgsql;
using Lifeguard.Testing.Faults;

namespace Lifeguard.Testing.Tests.Faults;

/// <summary>
/// The connection-limit fault (Lifeguard.Testing's SlotFiller) on the real test cluster: it takes every slot, so it is in
/// the Drill category and runs alone (test.sh runs it with the drills, after every other suite and before them).
/// Its dispose must give every slot back whenever the drill stops it: a CI run lost eight drills in a row to 53300
/// after this fault's drill, and an undisposed unpooled connection stays open until the process exits.
/// </summary>
[Trait("Category", "Drill")]
public sealed class SlotFillerTests
{
    [Fact]
    public async Task SlotFiller_StoppedAtAnyMoment_GivesEverySlotBack()
    {
        var cs = TestPostgres.ConnectionString;
        var ct = TestContext.Current.CancellationToken;
        // Opened before the slots run out, as the drill's operator session is.
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false, ApplicationName = "lifeguard-test-slot-admin" }.ConnectionString);
        await admin.OpenAsync(ct);
        var random = new Random(7);

        // The refill loop tries a connection every 100 ms; stopping at spread-out moments lands some stops mid-open.
        for (var round = 0; round < 12; round++)
        {
            var filler = new SlotFiller(cs);
            try
            {
                await filler.InjectAsync(ct);
                filler.Held.ShouldBeGreaterThan(0);
                (await RefusedWithinAsync(cs, TimeSpan.FromSeconds(3))).ShouldBeTrue($"round {round}: the filler holds {filler.Held} connections and new ones kept opening for 3 s");
                await Task.Delay(random.Next(0, 250), ct);
            }
            finally
            {
                // also when a check above fails: held slots would fail every drill after this one with 53300
                await filler.DisposeAsync();
            }

            filler.Held.ShouldBe(0);
            var left = await SessionsOfAsync(admin, SlotFiller.Application);
            left.ShouldBeEmpty($"round {round}: sessions of the filler outlived its dispose");
        }

        (await Refused(cs)).ShouldBeFalse("the slots were given back");
    }

    // A slot can free after the filler's last refusal (the previous round's ended sessions still exiting, another client
    // closing): the filler takes it within ~100 ms, so a probe that got in is retried; only a filler that stopped taking
    // freed slots keeps letting probes in.
    private static async Task<bool> RefusedWithinAsync(string cs, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (true)
        {
            if (await Refused(cs)) return true;
            if (DateTime.UtcNow >= until) return false;
            await Task.Delay(150);
        }
    }

    // Whether a fresh non-superuser connection is refused for want of a slot.
    private static async Task<bool> Refused(string cs)
    {
        try
        {
            await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false, ApplicationName = "lifeguard-test-slot-probe" }.ConnectionString);
            await c.OpenAsync();
            return false;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.TooManyConnections)
        {
            return true;
        }
    }

    // The filler's sessions still on the server; an ended backend takes a moment to leave pg_stat_activity, so a few looks.
    private static async Task<List<string>> SessionsOfAsync(NpgsqlConnection admin, string application)
    {
        var left = new List<string>();
        for (var attempt = 0; attempt < 20; attempt++)
        {
            left.Clear();
            await using var cmd = new NpgsqlCommand("SELECT application_name || ' (' || coalesce(state, '?') || ')' FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", admin);
            cmd.Parameters.Add(new NpgsqlParameter { Value = application });
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync()) left.Add(reader.GetString(0));
            }

            if (left.Count == 0) break;
            await Task.Delay(250);
        }
        return left;
    }
}
