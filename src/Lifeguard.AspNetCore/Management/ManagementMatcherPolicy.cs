using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Lifeguard.AspNetCore.Management;

/// <summary>With a management port, routing branches on the port a request arrived on before anything else: the
/// management branch holds only the operational endpoints, the public branch only the others. So /metrics is a 404 on
/// the public port (not a 405 for another method, which would tell it exists) and the site's pages a 404 on the
/// management port. It runs in routing, before the app's authentication, and costs one comparison per request.</summary>
internal sealed class ManagementMatcherPolicy(LifeguardManagementAddress address) : MatcherPolicy, INodeBuilderPolicy
{
    // Before the HTTP-method policy (-1000), whose 405 answers must only ever see one branch's endpoints.
    public override int Order => -2000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => address.Port is not null && endpoints.Count > 0;

    public IReadOnlyList<PolicyNodeEdge> GetEdges(IReadOnlyList<Endpoint> endpoints)
    {
        var operational = endpoints.Where(IsOperational).ToList();
        var others = endpoints.Where(e => !IsOperational(e)).ToList();
        var edges = new List<PolicyNodeEdge>(2);
        if (operational.Count > 0) edges.Add(new PolicyNodeEdge(true, operational));
        if (others.Count > 0) edges.Add(new PolicyNodeEdge(false, others));
        return edges;
    }

    public PolicyJumpTable BuildJumpTable(int exitDestination, IReadOnlyList<PolicyJumpTableEdge> edges)
    {
        int? management = null, other = null;
        foreach (var edge in edges)
        {
            if ((bool)edge.State) management = edge.Destination;
            else other = edge.Destination;
        }

        return new PortJumpTable(address, management ?? exitDestination, other ?? exitDestination);
    }

    private static bool IsOperational(Endpoint endpoint) => endpoint.Metadata.GetMetadata<ManagementEndpointMetadata>() is not null;

    private sealed class PortJumpTable(LifeguardManagementAddress address, int management, int other) : PolicyJumpTable
    {
        public override int GetDestination(HttpContext httpContext) => address.IsManagementRequest(httpContext) ? management : other;
    }
}
