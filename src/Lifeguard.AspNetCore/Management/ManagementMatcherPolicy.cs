using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Lifeguard.AspNetCore.Management;

/// <summary>With a management port, operational endpoints match only requests that arrived on it and every other
/// endpoint only requests that did not: /metrics is a 404 on the public port, the site's pages a 404 on the
/// management port. It runs in routing, before the app's authentication, so nothing about the endpoint leaks.</summary>
internal sealed class ManagementMatcherPolicy(LifeguardManagementAddress address) : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => -100;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => address.Port is not null;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var onManagementPort = address.IsManagementRequest(httpContext);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i)) continue;
            var operational = candidates[i].Endpoint.Metadata.GetMetadata<ManagementEndpointMetadata>() is not null;
            if (operational != onManagementPort) candidates.SetValidity(i, false);
        }

        return Task.CompletedTask;
    }
}
