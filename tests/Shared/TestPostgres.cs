namespace Lifeguard.TestSupport;

/// <summary>The private test cluster from ./test.sh (LIFEGUARD_TEST_PG); with CI set a missing cluster fails, otherwise skips.</summary>
internal static class TestPostgres
{
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
}
