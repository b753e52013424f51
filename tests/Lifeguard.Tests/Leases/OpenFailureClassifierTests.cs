using Lifeguard.Diagnosis;
using Lifeguard.Leases;
using Npgsql;

namespace Lifeguard.Tests.Leases;

public sealed class OpenFailureClassifierTests
{
    [Fact]
    public void Classify_WrappedTimeout_IsAPoolTimeoutFromTheTypeAlone()
    {
        var ex = new NpgsqlException("outer", new TimeoutException("whatever the text"));
        OpenFailureClassifier.Classify(ex, CancellationToken.None).ShouldBe(ConnectionErrorKind.PoolTimeout);
    }

    [Fact]
    public void Classify_MessageSaysExhaustedButNoTimeoutType_IsNotReadFromText()
    {
        var ex = new InvalidOperationException("The connection pool has been exhausted");
        OpenFailureClassifier.Classify(ex, CancellationToken.None).ShouldBe(ConnectionErrorKind.Other);
    }

    [Fact]
    public void Classify_ProviderClassifierGiven_ItsAnswerWins()
    {
        var ex = new NpgsqlException("outer", new TimeoutException());
        OpenFailureClassifier.Classify(ex, CancellationToken.None, new Fixed(ConnectionErrorKind.TooManyConnections))
            .ShouldBe(ConnectionErrorKind.TooManyConnections);
    }

    private sealed class Fixed(ConnectionErrorKind kind) : IConnectionErrorClassifier
    {
        public ConnectionErrorKind? Classify(Exception exception) => kind;
    }
}
