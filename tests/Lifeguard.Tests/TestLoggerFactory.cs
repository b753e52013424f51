using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Lifeguard.Tests;

/// <summary>Hands the same FakeLogger to every category so tests can read what the guard logged.</summary>
internal sealed class TestLoggerFactory : ILoggerFactory
{
    public FakeLogger Logger { get; } = new();

    public ILogger CreateLogger(string categoryName) => Logger;

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }
}
