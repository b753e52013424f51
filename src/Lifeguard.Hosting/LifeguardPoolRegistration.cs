namespace Lifeguard.Hosting;

/// <summary>Left in DI by each AddGuardedDataSource call, in call order, so <see cref="LifeguardPools"/> can find every guard.</summary>
internal sealed record LifeguardPoolRegistration(object? ServiceKey);
