using Lifeguard.Kit;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Website.Data;

namespace Website.Tests.Unit.Data;

/// <summary>ConnectionStrings:Diagnosis: the diagnoser's own login (least privilege), on the site's database, or the main string.</summary>
public sealed class DiagnosisConnectionStringTests
{
    private const string Main = "Host=127.0.0.1;Port=54329;Username=lifeguard;Password=x;Database=lifeguard;Application Name=Lifeguard.Website";

    private static IConfiguration Config(string? value) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Diagnosis"] = value }).Build();

    [Fact]
    public void Resolve_NotSet_IsTheMainConnectionString() => DiagnosisConnectionString.Resolve(Config(null), Main).ShouldBe(Main);

    [Fact]
    public void Resolve_TheDiagnosersLogin_KeepsItsRoleAndTheSitesDatabase()
    {
        var b = new NpgsqlConnectionStringBuilder(DiagnosisConnectionString.Resolve(
            Config("Host=127.0.0.1;Port=54329;Username=lifeguard_diagnoser;Password=y;Database=lifeguard"), Main));
        b.Username.ShouldBe("lifeguard_diagnoser");
        b.Database.ShouldBe("lifeguard");
    }

    [Fact]
    public void Resolve_AnotherDatabase_IsAStartupErrorNamingBoth() =>
        Should.Throw<StartupConfigurationException>(() => DiagnosisConnectionString.Resolve(
                Config("Host=127.0.0.1;Username=lifeguard_diagnoser;Password=y;Database=postgres"), Main))
            .Message.ShouldBe("ConnectionStrings:Diagnosis names database 'postgres', the site's is 'lifeguard': the diagnosis reads the site's database.");
}
