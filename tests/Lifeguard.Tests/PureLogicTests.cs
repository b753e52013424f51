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

    [Fact]
    public void Classify_WrappedTimeout_IsAPoolTimeoutFromTheTypeAlone()
    {
        var ex = new NpgsqlException("outer", new TimeoutException("whatever the text"));
        OpenFailureClassifier.Classify(ex, CancellationToken.None).ShouldBe(Lifeguard.Diagnosis.ConnectionErrorKind.PoolTimeout);
    }

    [Fact]
    public void Classify_MessageSaysExhaustedButNoTimeoutType_IsNotReadFromText()
    {
        var ex = new InvalidOperationException("The connection pool has been exhausted");
        OpenFailureClassifier.Classify(ex, CancellationToken.None).ShouldBe(Lifeguard.Diagnosis.ConnectionErrorKind.Other);
    }

    [Fact]
    public void Classify_ProviderClassifierGiven_ItsAnswerWins()
    {
        var ex = new NpgsqlException("outer", new TimeoutException());
        OpenFailureClassifier.Classify(ex, CancellationToken.None, new Fixed(Lifeguard.Diagnosis.ConnectionErrorKind.TooManyConnections))
            .ShouldBe(Lifeguard.Diagnosis.ConnectionErrorKind.TooManyConnections);
    }

    private sealed class Fixed(Lifeguard.Diagnosis.ConnectionErrorKind kind) : Lifeguard.Diagnosis.IConnectionErrorClassifier
    {
        public Lifeguard.Diagnosis.ConnectionErrorKind? Classify(Exception exception) => kind;
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
