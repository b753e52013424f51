using Npgsql;

namespace Lifeguard.Cli.Tests.Drill;

/// <summary>
/// Runs one drill with a session on the test cluster opened beforehand (so it still works when a fault takes every
/// slot), and checks the drill left the server as it found it: no session of a fault injector (lifeguard-drill-*) and
/// none of a website it started. What is left is ended, so one drill's leak fails that drill, not every later one (a
/// CI run lost eight drills in a row to 53300 with no word of who held the slots). A drill that fails has the server's
/// sessions at that moment added to its message.
/// </summary>
internal static class DrillServerWatch
{
    private const string Leftover = "(application_name LIKE 'lifeguard-drill-%' OR application_name LIKE 'Lifeguard.Website%')";

    public static async Task<T> RunAsync<T>(string cs, Func<Task<T>> drill)
    {
        var admin = await OpenAsync(cs);
        try
        {
            T result;
            try
            {
                result = await drill();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                string sessions;
                try
                {
                    admin = await UsableAsync(admin, cs);
                    sessions = await SessionsAsync(admin);
                    await EndLeftoversAsync(admin);
                }
                catch (Exception inner) when (inner is NpgsqlException or TimeoutException)
                {
                    sessions = "unreadable: " + inner.Message;
                }

                throw new InvalidOperationException($"{e.Message}{Environment.NewLine}server sessions when the drill failed: {sessions}", e);
            }

            admin = await UsableAsync(admin, cs);
            var left = await LeftoversAsync(admin);
            if (left.Count > 0) await EndLeftoversAsync(admin);
            left.ShouldBeEmpty($"sessions the drill left on the server (ended now): {string.Join(", ", left)}");
            return result;
        }
        finally
        {
            await admin.DisposeAsync();
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync(string cs)
    {
        var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false, ApplicationName = "lifeguard-test-watch" }.ConnectionString);
        await admin.OpenAsync();
        return admin;
    }

    // The restart drill ends this session with the server: a new one then (the slots are free by now if all went well).
    private static async Task<NpgsqlConnection> UsableAsync(NpgsqlConnection admin, string cs)
    {
        try
        {
            await using var ping = new NpgsqlCommand("SELECT 1", admin);
            await ping.ExecuteScalarAsync();
            return admin;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            await admin.DisposeAsync();
            return await OpenAsync(cs);
        }
    }

    /// <summary>The sessions of <paramref name="application"/> (or, without it, of every fault injector and started
    /// website) still on the server, as "application (state)". A session its client closed takes a moment to leave
    /// pg_stat_activity: polled for up to 5 s until none is left.</summary>
    public static async Task<List<string>> LeftoversAsync(NpgsqlConnection admin, string? application = null)
    {
        var left = new List<string>();
        for (var attempt = 0; attempt < 20; attempt++)
        {
            left.Clear();
            await using var cmd = new NpgsqlCommand($"SELECT application_name || ' (' || coalesce(state, '?') || ')' FROM pg_stat_activity WHERE {(application is null ? Leftover : "application_name = $1")} AND pid <> pg_backend_pid()", admin);
            if (application is not null) cmd.Parameters.Add(new NpgsqlParameter { Value = application });
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync()) left.Add(reader.GetString(0));
            }

            if (left.Count == 0) break;
            await Task.Delay(250);
        }

        return left;
    }

    private static async Task EndLeftoversAsync(NpgsqlConnection admin)
    {
        await using var end = new NpgsqlCommand($"SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE {Leftover} AND pid <> pg_backend_pid()", admin);
        await end.ExecuteScalarAsync();
    }

    // Client sessions by application and state, largest first, against max_connections: who holds the slots.
    private static async Task<string> SessionsAsync(NpgsqlConnection admin)
    {
        await using var cmd = new NpgsqlCommand(
            """
            SELECT coalesce(sum(n), 0) || ' of max_connections ' || current_setting('max_connections') || ': '
                   || coalesce(string_agg(holder, ', ' ORDER BY n DESC), 'none')
            FROM (SELECT coalesce(nullif(application_name, ''), '(no name)') || ' ' || coalesce(state, '?') || ' x' || count(*) AS holder, count(*) AS n
                  FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY application_name, state) s
            """, admin);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
