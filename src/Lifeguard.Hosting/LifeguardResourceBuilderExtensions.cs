using Lifeguard.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace OpenTelemetry.Resources;

/// <summary>Names the app's OpenTelemetry resource after its Lifeguard identity.</summary>
public static class LifeguardResourceBuilderExtensions
{
    /// <summary>Adds <c>service.name</c> and <c>service.instance.id</c> from the registered <see cref="LifeguardIdentity"/>
    /// (AddGuardedDataSource registers it from Lifeguard:Service / Lifeguard:Instance).</summary>
    public static ResourceBuilder AddLifeguardIdentity(this ResourceBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddDetector(sp => new IdentityDetector(sp.GetService<LifeguardIdentity>()));
    }

    private sealed class IdentityDetector(LifeguardIdentity? identity) : IResourceDetector
    {
        public Resource Detect() => identity is null ? Resource.Empty : new Resource(new Dictionary<string, object>
        {
            ["service.name"] = identity.Service,
            ["service.instance.id"] = identity.Instance,
        });
    }
}
