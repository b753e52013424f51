using System.Net.Sockets;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Website.Errors;

namespace Website.Tests.Unit.Errors;

public sealed class ErrorClassifierTests
{
    [Fact]
    public void StatusFor_CommandTimeout_Is503() =>
        ErrorClassifier.StatusFor(new NpgsqlException("Exception while reading from stream", new TimeoutException())).ShouldBe(503);

    [Fact]
    public void StatusFor_ConnectionRefused_Is503() =>
        ErrorClassifier.StatusFor(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))).ShouldBe(503);

    [Theory]
    [InlineData("57014")] // statement timeout / cancel
    [InlineData("57P01")] // admin shutdown
    [InlineData("53300")] // too many connections
    [InlineData("08006")] // connection failure
    public void StatusFor_ServerUnavailableSqlState_Is503(string sqlState) =>
        ErrorClassifier.StatusFor(new PostgresException("x", "FATAL", "FATAL", sqlState)).ShouldBe(503);

    [Fact]
    public void StatusFor_SqlBug_Is500() =>
        ErrorClassifier.StatusFor(new PostgresException("syntax error", "ERROR", "ERROR", "42601")).ShouldBe(500);

    [Fact]
    public void StatusFor_WrappedTimeout_Is503() =>
        ErrorClassifier.StatusFor(new InvalidOperationException("outer", new TimeoutException())).ShouldBe(503);

    [Fact]
    public void StatusFor_BadRequestAndAntiforgery_Are4xx()
    {
        ErrorClassifier.StatusFor(new BadHttpRequestException("too large", 413)).ShouldBe(413);
        ErrorClassifier.StatusFor(new AntiforgeryValidationException("missing")).ShouldBe(400);
        ErrorClassifier.StatusFor(new InvalidDataException("bad multipart")).ShouldBe(400);
    }

    [Fact]
    public void StatusFor_PlainBug_Is500() =>
        ErrorClassifier.StatusFor(new NullReferenceException()).ShouldBe(500);
}
