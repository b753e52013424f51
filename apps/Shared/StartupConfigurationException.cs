namespace Apps.Shared;

/// <summary>Configuration that stops an app's startup; its entry point prints the message as one line and exits 2.</summary>
internal sealed class StartupConfigurationException(string message) : Exception(message);
