namespace Incidents;

/// <summary>Configuration that stops startup with one clear line instead of a stack trace.</summary>
public sealed class StartupException(string message) : Exception(message);
