using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeguard.Hosting;

namespace Lifeguard.AspNetCore.Pools;

/// <summary>The body of /lifeguard/state: the primary pool's snapshot at the top (the shape the live page and scripts
/// read) plus <c>pools</c>, every guarded pool's snapshot with its <c>serviceKey</c> (null for the unkeyed pool).</summary>
internal static class LifeguardStateJson
{
    public static JsonObject Of(LifeguardPools pools, JsonSerializerOptions json)
    {
        var primary = pools.Primary;
        var list = new JsonArray();
        JsonObject? top = null;
        foreach (var pool in pools.All)
        {
            var node = (JsonObject)JsonSerializer.SerializeToNode(pool.Guard.Snapshot(), json)!;
            if (ReferenceEquals(pool, primary)) top = (JsonObject)node.DeepClone();
            node.Insert(0, "serviceKey", pool.ServiceKey is null ? null : JsonValue.Create(pool.Name));
            list.Add(node);
        }
        top!["pools"] = list;
        return top;
    }
}
