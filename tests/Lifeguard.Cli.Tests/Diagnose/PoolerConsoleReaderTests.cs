using Lifeguard.Cli.Diagnose;
using Npgsql;

namespace Lifeguard.Cli.Tests.Diagnose;

public sealed class PoolerConsoleReaderTests
{
    private static Dictionary<string, string?> Pool(string database, string user, int clients) =>
        new() { ["database"] = database, ["user"] = user, ["cl_active"] = clients.ToString(System.Globalization.CultureInfo.InvariantCulture), ["cl_waiting"] = "0" };

    [Fact]
    public void Pair_ServersOwnUserHasAPool_ThatPair() =>
        PoolerConsoleReader.Pair([Pool("site", "app", 30), Pool("site", "lifeguard_diagnoser", 1)], new NpgsqlConnectionStringBuilder("Database=site;Username=lifeguard_diagnoser"))
            .ShouldBe(("site", "lifeguard_diagnoser"));

    [Fact]
    public void Pair_MonitoringRoleWithoutAPool_TheBusiestPoolOfTheDatabase() =>
        PoolerConsoleReader.Pair([Pool("pgbouncer", "pgbouncer", 99), Pool("other", "x", 50), Pool("site", "batch", 2), Pool("site", "app", 30)], new NpgsqlConnectionStringBuilder("Database=site;Username=lifeguard_diagnoser"))
            .ShouldBe(("site", "app"));

    [Fact]
    public void Pair_NoPoolYet_TheServersDatabaseAndUser() =>
        PoolerConsoleReader.Pair([Pool("pgbouncer", "pgbouncer", 1)], new NpgsqlConnectionStringBuilder("Database=site;Username=app"))
            .ShouldBe(("site", "app"));
}
