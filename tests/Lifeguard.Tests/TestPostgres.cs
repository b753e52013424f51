using Npgsql;

namespace Lifeguard.Tests;

/// <summary>The private test cluster from LIFEGUARD_TEST_PG; with CI set its absence fails the test instead of skipping.</summary>
internal static class TestPostgres
{
    public static string ConnectionString(int maxPoolSize, int timeoutSeconds = 15, string? application = null)
    {
        var cs = Environment.GetEnvironmentVariable("LIFEGUARD_TEST_PG");
        if (string.IsNullOrEmpty(cs))
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
                throw new InvalidOperationException("LIFEGUARD_TEST_PG is not set but CI is: PostgreSQL is required (run ./test.sh).");
            Assert.Skip("LIFEGUARD_TEST_PG not set: start eng/pg.sh and export it, or run ./test.sh");
        }
        return new NpgsqlConnectionStringBuilder(cs)
        {
            MaxPoolSize = maxPoolSize,
            Timeout = timeoutSeconds,
            ApplicationName = application ?? "lifeguard-tests",
        }.ConnectionString;
    }

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
}
