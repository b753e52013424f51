using Npgsql;

namespace Lifeguard.Postgres.QueryReview;

/// <summary>
/// Chooses a value for each $n of a normalized statement from the column it is compared with, using the planner's own
/// statistics (pg_stats): equality takes the most common value (else the middle of the histogram), a lower bound the
/// histogram's median, an upper bound its last bound; a $n the plan does not compare with a column gets 10 when it is
/// an integer (LIMIT, OFFSET), NULL otherwise. No row is read, so no private value is chosen by chance.
/// </summary>
internal static class RepresentativeValues
{
    public static async Task<string?[]> ChooseAsync(NpgsqlConnection connection, PreparedStatement statement, IReadOnlyList<ColumnPredicate> predicates, DatabaseCatalog catalog, CancellationToken ct)
    {
        var values = new string?[statement.ParameterTypes.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var p = predicates.FirstOrDefault(x => x.Parameter == i + 1);
            if (p is null)
            {
                values[i] = statement.ParameterTypes[i] is "integer" or "bigint" or "smallint" ? "10" : null;
                continue;
            }

            var (common, histogram) = await StatsAsync(connection, catalog.SchemaOf(p.Table), p.Table, p.Column, ct).ConfigureAwait(false);
            values[i] = p.Operator switch
            {
                "=" => common.FirstOrDefault() ?? Middle(histogram),
                ">" or ">=" => Middle(histogram) ?? common.FirstOrDefault(),
                "<" or "<=" => histogram.LastOrDefault() ?? common.FirstOrDefault(),
                _ => null,
            };
        }

        return values;
    }

    private static string? Middle(string[] histogram) => histogram.Length == 0 ? null : histogram[histogram.Length / 2];

    private static async Task<(string[] Common, string[] Histogram)> StatsAsync(NpgsqlConnection connection, string schema, string table, string column, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(StatementSource.OwnTag + """
            SELECT coalesce(most_common_vals::text::text[], '{}'), coalesce(histogram_bounds::text::text[], '{}')
            FROM pg_stats WHERE schemaname = $1 AND tablename = $2 AND attname = $3
            """, connection)
        {
            Parameters = { new() { Value = schema }, new() { Value = table }, new() { Value = column } },
        };
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false)) return ([], []);
        return (r.GetFieldValue<string[]>(0), r.GetFieldValue<string[]>(1));
    }
}
