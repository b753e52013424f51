namespace Lifeguard.Kit;

/// <summary>Configuration that stops an app's startup; its entry point prints the message as one line and exits 2.</summary>
public sealed class StartupConfigurationException(string message) : Exception(message);
