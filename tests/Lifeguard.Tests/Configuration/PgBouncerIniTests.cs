using Lifeguard.Configuration;

namespace Lifeguard.Tests.Configuration;

public sealed class PgBouncerIniTests
{
    [Fact]
    public void Parse_TypicalIni_ReadsTheSettingsAndOnePairPerDatabase()
    {
        const string ini = """
            ;; a deployment's pgbouncer.ini
            [databases]
            app = host=10.0.0.5 port=5432 dbname=app
            reports = host=10.0.0.5 port=5432 dbname=app pool_size=5
            * = host=10.0.0.5

            [pgbouncer]
            listen_addr = 0.0.0.0
            listen_port = 6432
            pool_mode = Transaction
            max_client_conn = 500
            default_pool_size = 25
            reserve_pool_size = 3
            max_db_connections = 40
            max_prepared_statements = 100
            %include /etc/pgbouncer/extra.ini
            """;
        var s = PgBouncerIni.Parse(ini, "pgbouncer.ini");
        s.Mode.ShouldBe(PoolerMode.Transaction);
        s.ListenPort.ShouldBe(6432);
        s.MaxClientConnections.ShouldBe(500);
        s.DefaultPoolSize.ShouldBe(25);
        s.ReservePoolSize.ShouldBe(3);
        s.MaxDbConnections.ShouldBe(40);
        s.MaxPreparedStatements.ShouldBe(100);
        s.PairPoolSizes.ShouldBe([25, 5]); // the wildcard is not a pair
        s.MaximumServerConnections.ShouldBe(28 + 8); // min(25+3, 40) + min(5+3, 40)
        s.Version.ShouldBeNull();
    }

    [Fact]
    public void Parse_EmptyIni_HasPgBouncersDefaults()
    {
        var s = PgBouncerIni.Parse("[pgbouncer]\n");
        s.Mode.ShouldBe(PoolerMode.Session);
        s.MaxClientConnections.ShouldBe(100);
        s.DefaultPoolSize.ShouldBe(20);
        s.ListenPort.ShouldBe(6432);
        s.MaxDbConnections.ShouldBeNull();
        s.MaxPreparedStatements.ShouldBeNull();
        s.EffectivePairPoolSizes.ShouldBe([20]);
    }

    [Fact]
    public void Parse_MaxDbConnectionsZero_MeansUnlimited()
    {
        PgBouncerIni.Parse("[pgbouncer]\nmax_db_connections = 0\n").MaxDbConnections.ShouldBeNull();
    }

    [Theory]
    [InlineData("pool_mode = sessions", "pool_mode")]
    [InlineData("max_client_conn = lots", "max_client_conn")]
    [InlineData("default_pool_size = -1", "default_pool_size")]
    public void Parse_BadValue_ThrowsNamingTheKey(string line, string key)
    {
        Should.Throw<FormatException>(() => PgBouncerIni.Parse("[pgbouncer]\n" + line, "x.ini")).Message.ShouldContain(key);
    }
}
