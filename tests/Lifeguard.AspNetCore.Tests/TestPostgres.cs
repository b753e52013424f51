using Npgsql;

namespace Lifeguard.AspNetCore.Tests;

/// <summary>The private test cluster from LIFEGUARD_TEST_PG; with CI set its absence fails the test instead of skipping.</summary>
internal static class TestPostgres
{
    public static string ConnectionString(int maxPoolSize, int timeoutSeconds)
    {
        var cs = Environment.GetEnvironmentVariable("LIFEGUARD_TEST_PG");
        if (string.IsNullOrEmpty(cs))
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
                throw new InvalidOperationException("LIFEGUARD_TEST_PG is not set but CI is: PostgreSQL is required (run ./test.sh).");
            Assert.Skip("LIFEGUARD_TEST_PG not set: start eng/pg.sh and export it, or run ./test.sh");
        }
        return new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = maxPoolSize, Timeout = timeoutSeconds, ApplicationName = "lifeguard-web-tests" }.ConnectionString;
    }
}
