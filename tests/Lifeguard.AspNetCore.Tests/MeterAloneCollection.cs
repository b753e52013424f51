namespace Lifeguard.AspNetCore.Tests;

/// <summary>Tests that read exact series from /metrics run after the parallel ones, one at a time: the OpenTelemetry SDK
/// listens to every "Lifeguard" meter in the process, so another test app's leases (or its second pool) would show in
/// their scrape. One app per process, as in production, is what they assert on.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeterAloneCollection
{
    public const string Name = "meter alone";
}
