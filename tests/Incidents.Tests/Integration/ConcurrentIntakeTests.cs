using Incidents.Tests.Infrastructure;
using static Incidents.Tests.Infrastructure.Webhooks;

namespace Incidents.Tests.Integration;

/// <summary>Two replicas over one database: concurrent intake of one group never opens two incidents.</summary>
public sealed class ConcurrentIntakeTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private RunningService _a = null!;
    private RunningService _b = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string?> { ["Incidents:Evidence:DiagnosisUrl"] = "" };
        _a = await RunningService.StartAsync(_db.ConnectionString, settings);
        _b = await RunningService.StartAsync(_db.ConnectionString, settings);
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Receive_SameGroupsAtOnceThroughTwoReplicas_OneIncidentPerGroup()
    {
        using var apiA = _a.Api();
        using var apiB = _b.Api();
        const int groups = 5;
        const int copies = 20;
        // every group: the same first notification sent many times at once to both replicas, plus a joining alert
        var tasks = new List<Task>();
        using var start = new SemaphoreSlim(0);
        for (var g = 0; g < groups; g++)
        {
            for (var c = 0; c < copies; c++)
            {
                var api = c % 2 == 0 ? apiA : apiB;
                var body = c % 5 == 4
                    ? Body($"group-{g}", Alert($"g{g}-a", "firing", T0), Alert($"g{g}-b", "firing", T0.AddSeconds(1)))
                    : Body($"group-{g}", Alert($"g{g}-a", "firing", T0));
                tasks.Add(Task.Run(async () => { await start.WaitAsync(); await PostAsync(api, body); }));
            }
        }

        start.Release(tasks.Count);
        await Task.WhenAll(tasks);

        (await _db.ScalarAsync<long>("SELECT count(*) FROM incidents")).ShouldBe(groups);
        (await _db.ScalarAsync<long>("SELECT count(DISTINCT group_key) FROM incidents")).ShouldBe(groups);
        (await _db.ScalarAsync<long>("SELECT count(*) FROM timeline WHERE kind = 'opened'")).ShouldBe(groups);
        // each group's second alert joined at most once (not at all when the two-alert body happened to open the incident)
        (await _db.ScalarAsync<long>("SELECT COALESCE(max(n), 0) FROM (SELECT count(*) AS n FROM timeline WHERE kind = 'alert_firing' GROUP BY incident_id) x")).ShouldBeLessThanOrEqualTo(1);
        (await _db.ScalarAsync<long>("SELECT count(*) FROM incident_alerts")).ShouldBe(groups * 2);
    }
}
