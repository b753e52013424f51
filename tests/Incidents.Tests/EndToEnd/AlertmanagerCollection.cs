namespace Incidents.Tests.EndToEnd;

/// <summary>Tests that run the real Alertmanager on its one port (9294) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AlertmanagerCollection
{
    public const string Name = "alertmanager";
}
