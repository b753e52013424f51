namespace Lifeguard.Cli.Load;

/// <summary>Where a load run is.</summary>
internal enum LoadPhase
{
    LoggingIn,
    Running,
}
