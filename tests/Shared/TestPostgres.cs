using System.Data.Common;
using System.Globalization;

namespace Lifeguard.TestSupport;

/// <summary>The private test cluster from ./test.sh (LIFEGUARD_TEST_PG), shared by every test project (linked from
/// tests/Shared); with CI set a missing cluster fails, otherwise the test skips.</summary>
internal static class TestPostgres
{
    /// <summary>Whether LIFEGUARD_TEST_PG is set (for fixtures that prepare data only when there is a cluster).</summary>
    public static bool IsSet => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("LIFEGUARD_TEST_PG"));

    /// <summary>The cluster's data directory (LIFEGUARD_TEST_PG_DATA), for tests that stop or reconfigure it; null if not given.</summary>
    public static string? DataDirectory => Environment.GetEnvironmentVariable("LIFEGUARD_TEST_PG_DATA") is { Length: > 0 } d ? d : null;

    /// <summary>The cluster's connection string as given.</summary>
    public static string ConnectionString
    {
        get
        {
            var cs = Environment.GetEnvironmentVariable("LIFEGUARD_TEST_PG");
            if (!string.IsNullOrWhiteSpace(cs)) return cs;
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            {
                Assert.Fail("LIFEGUARD_TEST_PG is not set and CI is: PostgreSQL is required (run ./test.sh).");
            }
            Assert.Skip("LIFEGUARD_TEST_PG is not set (run ./test.sh, or eng/pg.sh start and export it).");
            return "";
        }
    }

    /// <summary>The cluster with a pool of <paramref name="maxPoolSize"/>, an open timeout and an application name
    /// (keywords every ADO.NET provider here understands; no provider type, so any test project can link this file).</summary>
    public static string For(int maxPoolSize, int timeoutSeconds = 15, string? application = null) =>
        new DbConnectionStringBuilder
        {
            ConnectionString = ConnectionString,
            ["Maximum Pool Size"] = maxPoolSize.ToString(CultureInfo.InvariantCulture),
            ["Timeout"] = timeoutSeconds.ToString(CultureInfo.InvariantCulture),
            ["Application Name"] = application ?? "lifeguard-tests",
        }.ConnectionString;

    /// <summary>Polls until <paramref name="condition"/> holds (real time: the pool's own waiting is real).</summary>
    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Condition never held: " + what);
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// DROP DATABASE ... WITH (FORCE) on <paramref name="admin"/> (open), retried while an autovacuum worker that the
    /// freshly loaded rows woke is in it: a role that is not superuser may not terminate it (42501), and it is done or
    /// gone in moments (seen in a full run).
    /// </summary>
    public static async Task DropDatabaseAsync(DbConnection admin, string name)
    {
        ArgumentNullException.ThrowIfNull(admin);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var cmd = admin.CreateCommand();
                cmd.CommandText = $"DROP DATABASE IF EXISTS {name} WITH (FORCE)";
                await cmd.ExecuteNonQueryAsync(CancellationToken.None);
                return;
            }
            catch (DbException e) when (e.SqlState == "42501" && attempt < 50)
            {
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }
}
