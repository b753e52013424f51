using Lifeguard.Leases;

namespace Lifeguard.Tests.Leases;

public sealed class ConnectionStringFactsTests
{
    [Theory]
    [InlineData("Host=db;Port=5432;Database=app;Maximum Pool Size=7", 7, "db:5432/app")]
    [InlineData("Server=sql;Initial Catalog=shop;Max Pool Size=12", 12, "sql/shop")]
    [InlineData("Host=db", 100, "db")]
    public void Parse_ConnectionString_ReadsMaxPoolSizeAndName(string cs, int max, string name)
    {
        var facts = ConnectionStringFacts.Parse(cs);
        facts.MaxPoolSize.ShouldBe(max);
        facts.PoolName.ShouldBe(name);
    }
}
