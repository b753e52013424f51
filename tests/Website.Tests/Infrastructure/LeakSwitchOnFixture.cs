namespace Website.Tests.Infrastructure;

/// <summary>A site with the switch on, as only the drill starts it.</summary>
public sealed class LeakSwitchOnFixture : SiteFixture
{
    internal override IDictionary<string, string?> Settings => new Dictionary<string, string?> { [global::Website.Faults.LeakFaultSwitch.Key] = "true" };
}
