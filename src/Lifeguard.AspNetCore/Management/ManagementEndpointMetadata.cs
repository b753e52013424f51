namespace Lifeguard.AspNetCore.Management;

/// <summary>Marks an endpoint as operational: served only on the management port when one is configured.</summary>
internal sealed class ManagementEndpointMetadata
{
    public static readonly ManagementEndpointMetadata Instance = new();

    private ManagementEndpointMetadata()
    {
    }
}
