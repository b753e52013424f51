namespace Lifeguard.Cli.Load;

/// <summary>A load run could not log in as a seeded user; the message says why.</summary>
internal sealed class LoginFailedException(string message) : Exception(message);
