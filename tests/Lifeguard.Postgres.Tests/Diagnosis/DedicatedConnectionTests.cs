using Dapper;
using Lifeguard.Postgres.Diagnosis;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Diagnosis;

/// <summary>The server is read on one connection of the diagnoser's own: never the app's pool, one session for every
/// sample, a new one when it is ended.</summary>
[Collection(DiagnosisCollection.Name)]
public sealed class DedicatedConnectionTests
{
    [Fact]
    public async Task SampleAsync_EverySecondWhileTheAppsPoolIsExhausted_ReadsOnOneSessionOfItsOwn()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = "diag-one-" + Guid.NewGuid().ToString("N")[..8];
        // The app's own connection string, pool of one: the source is given it, as AddLifeguardPostgres() derives it from the guarded pool.
        var appCs = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { MaxPoolSize = 1, Timeout = 1, ApplicationName = "diag-one-app" }.ConnectionString;
        await using var app = NpgsqlDataSource.Create(appCs);
        await using var observer = new NpgsqlConnection(TestPostgres.ConnectionString);
        await observer.OpenAsync(ct);
        await using var source = new PostgresServerSignalSource(appCs, new PostgresDiagnosisOptions { ApplicationName = name });

        await using var held = await app.OpenConnectionAsync(ct);
        await Should.ThrowAsync<NpgsqlException>(async () => await app.OpenConnectionAsync(ct)); // the app's pool is exhausted

        var pids = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            var signals = await source.SampleAsync(ct);
            signals.Reachable.ShouldBeTrue(signals.Error);
            signals.ApplicationName.ShouldBe("diag-one-app"); // the app's sessions are told apart by its Application Name
            signals.HostLagMs.ShouldNotBeNull("the host's own timer lag is measured beside every round trip (network_latency needs it)");
            signals.HostLagMs.Value.ShouldBeGreaterThanOrEqualTo(0);
            // Pressure is a share of the time since the previous sample: from the second one, where Linux reports it.
            if (i > 0 && File.Exists("/proc/pressure/cpu")) signals.HostCpuPressure.ShouldNotBeNull("the host's CPU pressure (PSI) is read beside the round trip");
            signals.HostCpuPressure.GetValueOrDefault().ShouldBeInRange(0, 1);
            var sessions = (await observer.QueryAsync<int>("SELECT pid FROM pg_stat_activity WHERE application_name = @name", new { name })).ToList();
            sessions.Count.ShouldBe(1, $"sample {i}: sessions {string.Join(",", sessions)}");
            pids.Add(sessions[0]);
        }
        pids.Distinct().ShouldHaveSingleItem();

        // Someone ends the diagnoser's session: the next sample but one reads again, on one new session.
        (await observer.ExecuteScalarAsync<bool>("SELECT pg_terminate_backend(@pid)", new { pid = pids[0] })).ShouldBeTrue();
        await source.SampleAsync(ct);
        var again = await source.SampleAsync(ct);
        again.Reachable.ShouldBeTrue(again.Error);
        var now = (await observer.QueryAsync<int>("SELECT pid FROM pg_stat_activity WHERE application_name = @name", new { name })).ShouldHaveSingleItem();
        now.ShouldNotBe(pids[0]);
    }
}
