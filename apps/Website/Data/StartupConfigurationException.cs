namespace Website.Data;

/// <summary>Configuration that makes the site unable to start; Main prints the message as one line and exits non-zero.</summary>
public sealed class StartupConfigurationException(string message) : Exception(message);
