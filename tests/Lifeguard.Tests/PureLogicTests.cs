using System.ComponentModel.DataAnnotations;
using Lifeguard.Leases;
using Lifeguard.Telemetry;
using Npgsql;

namespace Lifeguard.Tests;

public sealed class PureLogicTests
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

    [Theory]
    [InlineData("The connection pool has been exhausted, either raise 'Max Pool Size' (currently 1) or 'Timeout' (currently 1 seconds) in your connection string.", "PoolTimeout")]
    [InlineData("Timeout expired.  The timeout period elapsed prior to obtaining a connection from the pool.  This may have occurred because all pooled connections were in use and max pool size was reached.", "PoolTimeout")]
    [InlineData("password authentication failed for user \"x\"", "ConnectionError")]
    public void Classify_ProviderMessages_RecognisesPoolExhaustion(string message, string expected)
    {
        OpenFailureClassifier.Classify(new InvalidOperationException(message), CancellationToken.None).ToString().ShouldBe(expected);
    }

    [Fact]
    public void Classify_WrappedNpgsqlExhaustion_IsAPoolTimeout()
    {
        var ex = new NpgsqlException("outer", new TimeoutException("The connection pool has been exhausted, either raise..."));
        OpenFailureClassifier.Classify(ex, CancellationToken.None).ShouldBe(OpenFailureKind.PoolTimeout);
    }

    [Fact]
    public void Quantile_UniformMilliseconds_IsWithinSixPercent()
    {
        var h = new LatencyHistogram();
        for (var i = 1; i <= 1000; i++) h.Record(TimeSpan.FromMilliseconds(i));
        h.Quantile(0.5).ShouldBe(0.5, 0.5 * 0.07);
        h.Quantile(0.99).ShouldBe(0.99, 0.99 * 0.07);
        h.MaxSeconds.ShouldBe(1.0);
        h.Count.ShouldBe(1000);
    }

    [Fact]
    public void IndexOf_EveryBucket_ContainsItsOwnUpperBound()
    {
        for (var i = 0; i < LatencyHistogram.BucketCount - 1; i++)
            LatencyHistogram.IndexOf(LatencyHistogram.UpperBoundMicros(i)).ShouldBe(i);
    }

    [Fact]
    public void Constructor_NegativeLeakThreshold_FailsValidationNamingTheOption()
    {
        var inner = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1");
        var ex = Should.Throw<ValidationException>(() => new GuardedDataSource(inner, new LifeguardOptions { LeakDetectionThreshold = TimeSpan.FromSeconds(-1) }));
        ex.Message.ShouldContain(nameof(LifeguardOptions.LeakDetectionThreshold));
        inner.Dispose();
    }
}
