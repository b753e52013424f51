using System.Text.Json;
using Lifeguard.Attribution;
using Lifeguard.Contracts;
using Lifeguard.Leaks;

namespace Lifeguard.Tests.State;

public sealed class LifeguardStateTests
{
    private static PoolSnapshot Pool(string name, string? key) => new()
    {
        PoolName = name, ServiceKey = key, InUse = 2, Idle = 1, IdleIsExact = true, Max = 5, Waiters = 0, Leases = 10,
        Timeouts = 0, RecentTimeouts = 0, Rejections = 0, RecentRejections = 0, Errors = 0, Leaks = 1, ActiveLeaks = 1,
        Wait = LatencySummary.Empty, RecentWaitP99 = 0, Hold = new LatencySummary(10, 0.001, 0.002, 0.003, 0.004, 0.015),
        Operations = [new OperationStats("GET /", 10, 0.015, 0.003, 0.004)],
        RecentLeaks = [new LeakReport { Id = 7, PoolName = name, StackTrace = "at X", AcquiredAt = DateTimeOffset.UnixEpoch, DetectedAt = DateTimeOffset.UnixEpoch }],
    };

    [Fact]
    public void Serialize_ContractJson_SnakeCaseWithThePrimaryAtTheTop()
    {
        var primary = Pool("main", null);
        var state = LifeguardState.Of(primary, [primary, Pool("reports", "reports")]);

        var json = JsonDocument.Parse(JsonSerializer.Serialize(state, ContractJson.Options)).RootElement;

        json.GetProperty("pool_name").GetString().ShouldBe("main");
        json.GetProperty("in_use").GetInt32().ShouldBe(2);
        json.GetProperty("hold").GetProperty("p99").GetDouble().ShouldBe(0.003);
        json.GetProperty("operations")[0].GetProperty("total_hold_seconds").GetDouble().ShouldBe(0.015);
        json.GetProperty("recent_leaks")[0].GetProperty("stack_trace").GetString().ShouldBe("at X");
        json.GetProperty("pools")[0].GetProperty("service_key").ValueKind.ShouldBe(JsonValueKind.Null);
        json.GetProperty("pools")[1].GetProperty("service_key").GetString().ShouldBe("reports");
    }

    [Fact]
    public void Deserialize_WhatTheEndpointWrites_RoundTrips()
    {
        var primary = Pool("main", null);
        var state = LifeguardState.Of(primary, [primary]);

        var back = JsonSerializer.Deserialize<LifeguardState>(JsonSerializer.Serialize(state, ContractJson.Options), ContractJson.Options)!;

        back.PoolName.ShouldBe("main");
        back.Hold.ShouldBe(primary.Hold);
        back.Operations.ShouldBe(primary.Operations);
        back.RecentLeaks.ShouldHaveSingleItem().Id.ShouldBe(7);
        back.Pools.ShouldHaveSingleItem().InUse.ShouldBe(2);
    }
}
