using System.Data.Common;
using Dapper;
using Lifeguard.Diagnosis;
using Lifeguard.Hosting.Diagnosis;
using Lifeguard.Postgres.Diagnosis;
using Lifeguard.Postgres.Registration;
using Lifeguard.Postgres.ServerMetrics;
using Lifeguard.Postgres.Tests.Diagnosis;
using Lifeguard.Statements;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Lifeguard.Postgres.Tests.Registration;

/// <summary>Lifeguard.Postgres registered once, from the guarded pool: one reader whose sample the diagnoser and the server
/// metrics share, and the connection strings query review uses.</summary>
[Collection(DiagnosisCollection.Name)]
public sealed class LifeguardPostgresServiceCollectionExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ServiceCollection Services(string appCs, Action<LifeguardPostgresOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<DbDataSource>(_ => NpgsqlDataSource.Create(appCs));
        services.AddGuardedDataSource();
        services.AddLifeguardDiagnosis();
        services.AddLifeguardPostgres(configure).AddServerMetrics().AddQueryReview();
        return services;
    }

    [Fact]
    public async Task AddLifeguardPostgres_NoConnectionString_DerivedFromTheGuardedPoolWithItsPassword()
    {
        var appCs = TestPostgres.For(maxPoolSize: 2, application: "lifeguard-registration-app");
        await using var provider = Services(appCs).BuildServiceProvider();

        var strings = provider.GetRequiredService<PostgresConnectionStrings>();
        var derived = new NpgsqlConnectionStringBuilder(strings.Application);
        var expected = new NpgsqlConnectionStringBuilder(appCs);
        derived.Password.ShouldBe(expected.Password); // the data source's own ConnectionString leaves it out
        derived.Host.ShouldBe(expected.Host);
        derived.Port.ShouldBe(expected.Port);
        derived.Database.ShouldBe(expected.Database);
        strings.Reader.ShouldBe(strings.Application);
        strings.ApplicationName.ShouldBe("lifeguard-registration-app");

        var signals = await provider.GetRequiredService<IServerSignalSource>().SampleAsync(Ct);
        signals.Reachable.ShouldBeTrue(signals.Error);
        signals.ApplicationName.ShouldBe("lifeguard-registration-app");
        provider.GetRequiredService<ISlowStatementSource>().ShouldNotBeNull();
    }

    [Fact]
    public async Task AddLifeguardPostgres_DiagnoserAndServerMetrics_ShareOneReaderAndOneSession()
    {
        var appCs = TestPostgres.For(maxPoolSize: 2, application: "lifeguard-registration-app");
        var readerName = "lg-one-reader-" + Guid.NewGuid().ToString("N")[..8];
        await using var provider = Services(appCs, o => o.Reader.ApplicationName = readerName).BuildServiceProvider();
        var reader = provider.GetRequiredService<PostgresServerSignalSource>();
        provider.GetRequiredService<IServerSignalSource>().ShouldBeSameAs(reader);
        var diagnosis = provider.GetRequiredService<LifeguardDiagnosisService>();
        var metrics = provider.GetRequiredService<PostgresServerMetrics>();
        diagnosis.ObservesServer.ShouldBeTrue();

        for (var i = 0; i < 3; i++)
        {
            var judged = await diagnosis.SampleOnceAsync(Ct);
            (await metrics.PollOnceAsync(Ct)).ShouldBeTrue();
            metrics.Latest!.Signals.ShouldBeSameAs(judged.Signals!.Server); // the sample the diagnoser judged
        }

        await using var observer = new NpgsqlConnection(TestPostgres.ConnectionString);
        await observer.OpenAsync(Ct);
        var sessions = (await observer.QueryAsync<string>("SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'lg-one-reader-%' OR application_name = 'lifeguard-server-metrics'"))
            .Where(n => n == readerName || n == "lifeguard-server-metrics").ToList();
        sessions.ShouldBe([readerName]); // one connection for both
    }

    [Fact]
    public async Task AddLifeguardPostgres_ReaderLoginOfItsOwn_AppSessionsStillToldApartByTheAppsName()
    {
        var appCs = TestPostgres.For(maxPoolSize: 2, application: "lifeguard-registration-app");
        var readerLogin = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { ApplicationName = "the-reader-login" }.ConnectionString;
        await using var provider = Services(appCs, o => o.ReaderConnectionString = readerLogin).BuildServiceProvider();

        var strings = provider.GetRequiredService<PostgresConnectionStrings>();
        strings.Reader.ShouldBe(readerLogin);
        new NpgsqlConnectionStringBuilder(strings.Application).ApplicationName.ShouldBe("lifeguard-registration-app"); // query review's
        var signals = await provider.GetRequiredService<IServerSignalSource>().SampleAsync(Ct);
        signals.Reachable.ShouldBeTrue(signals.Error);
        signals.ApplicationName.ShouldBe("lifeguard-registration-app");
    }

    [Fact]
    public async Task AddLifeguardPostgres_ReaderLoginForAnotherDatabase_FailsWhenResolved()
    {
        var readerLogin = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Database = "some_other_db" }.ConnectionString;
        await using var provider = Services(TestPostgres.For(2), o => o.ReaderConnectionString = readerLogin).BuildServiceProvider();
        Should.Throw<InvalidOperationException>(() => provider.GetRequiredService<IServerSignalSource>()).Message.ShouldContain("some_other_db");
    }

    [Fact]
    public async Task AddLifeguardPostgres_NoGuardedPoolAndNoConnectionString_SaysWhatToDo()
    {
        var services = new ServiceCollection();
        services.AddLifeguardPostgres();
        await using var provider = services.BuildServiceProvider();
        Should.Throw<InvalidOperationException>(() => provider.GetRequiredService<IServerSignalSource>()).Message.ShouldContain("AddGuardedDataSource()");
    }

    [Fact]
    public void AddLifeguardPostgres_InvalidReaderSettings_FailValidation()
    {
        var services = new ServiceCollection();
        services.AddLifeguardPostgres(o =>
        {
            o.ConnectionString = TestPostgres.ConnectionString;
            o.Reader.ConnectTimeoutSeconds = 0;
        });
        using var provider = services.BuildServiceProvider();
        Should.Throw<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<LifeguardPostgresOptions>>().Value).Message.ShouldContain("ConnectTimeoutSeconds");
    }
}
