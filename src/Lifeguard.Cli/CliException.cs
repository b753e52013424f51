namespace Lifeguard.Cli;

/// <summary>A failure the user can fix (bad input, unreachable source): printed as one line, exit code 1.</summary>
internal sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);
