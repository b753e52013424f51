using Lifeguard.TestSupport;
using Npgsql;

namespace Lifeguard.Cli.Tests.Drill;

/// <summary>The drills' guard against a leak cascading: it must catch a session left behind, end it, and explain a
/// failed drill with the server's sessions. On the real test cluster, in the drill collection.</summary>
[Trait("Category", "Drill")]
[Collection(DrillCollection.Name)]
public sealed class DrillServerWatchTests
{
    private const string LeakedApplication = "lifeguard-drill-watch-test";

    [Fact]
    public async Task DrillServerWatch_DrillLeavesASession_FailsNamingItAndEndsIt()
    {
        var cs = TestPostgres.ConnectionString;
        var leaked = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false, ApplicationName = LeakedApplication }.ConnectionString);
        try
        {
            // Shouldly passes its own assertion failures through Should.Throw: caught by hand.
            ShouldAssertException? failure = null;
            try
            {
                await DrillServerWatch.RunAsync(cs, async () =>
                {
                    await leaked.OpenAsync();
                    return 1;
                });
            }
            catch (ShouldAssertException e)
            {
                failure = e;
            }

            failure.ShouldNotBeNull("a session left behind fails the drill");
            failure.Message.ShouldContain(LeakedApplication + " (idle)");
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
            await admin.OpenAsync(TestContext.Current.CancellationToken);
            (await DrillServerWatch.LeftoversAsync(admin, LeakedApplication)).ShouldBeEmpty("the watch ends what a drill left");
        }
        finally
        {
            await leaked.DisposeAsync();
        }
    }

    [Fact]
    public async Task DrillServerWatch_DrillFails_MessageCarriesTheServersSessions()
    {
        var cs = TestPostgres.ConnectionString;
        var failure = await Should.ThrowAsync<InvalidOperationException>(() => DrillServerWatch.RunAsync<int>(cs, () => throw new TimeoutException("the site did not start")));
        failure.Message.ShouldStartWith("the site did not start");
        failure.Message.ShouldContain("server sessions when the drill failed: ");
        failure.Message.ShouldContain("lifeguard-test-watch active x1");
        failure.InnerException.ShouldBeOfType<TimeoutException>();
    }
}
