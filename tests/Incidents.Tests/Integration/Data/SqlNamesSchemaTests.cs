using System.Text.RegularExpressions;
using Incidents.Data;
using Incidents.Domain;
using Incidents.Tests.Infrastructure;
using Npgsql;

namespace Incidents.Tests.Integration;

/// <summary>The words SqlNames writes are exactly those the migrated schema's CHECK constraints allow: no enum member the database would refuse, no stored word the service could not read.</summary>
public sealed partial class SqlNamesSchemaTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task CheckConstraints_AllowExactlyTheStoredWords()
    {
        (await AllowedAsync("incidents", "status")).ShouldBe(Words<IncidentStatus>(), ignoreOrder: true);
        (await AllowedAsync("incidents", "evidence_state")).ShouldBe(Words<EvidenceState>(), ignoreOrder: true);
        (await AllowedAsync("incident_alerts", "status")).ShouldBe(Words<AlertStatus>(), ignoreOrder: true);
        (await AllowedAsync("escalations", "state")).ShouldBe(Words<EscalationState>(), ignoreOrder: true);
        (await AllowedAsync("deliveries", "status")).ShouldBe(Words<DeliveryStatus>(), ignoreOrder: true);
        (await AllowedAsync("deliveries", "kind")).ShouldBe(Words<ChannelKind>(), ignoreOrder: true);
    }

    private static string[] Words<T>() where T : struct, Enum => Enum.GetValues<T>().Select(SqlNames.Word).ToArray();

    // the quoted words of the column's CHECK constraint, as PostgreSQL prints it back
    private async Task<string[]> AllowedAsync(string table, string column)
    {
        await using var conn = new NpgsqlConnection(_db.ConnectionString);
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(
            """
            SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
            WHERE c.contype = 'c' AND c.conrelid = @table::regclass AND a.attname = @column
            """, conn);
        cmd.Parameters.AddWithValue("table", table);
        cmd.Parameters.AddWithValue("column", column);
        var definition = (string)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        return Quoted().Matches(definition).Select(m => m.Groups[1].Value).Distinct().ToArray();
    }

    [GeneratedRegex("'([a-z_]+)'::text")]
    private static partial Regex Quoted();
}
