namespace Incidents.Tests.Infrastructure;

/// <summary>A browser-like client of the service's UI (<see cref="FormClient"/>).</summary>
internal sealed class UiClient(Uri baseAddress) : FormClient(baseAddress);
