using System.Reflection;
using DbUp;

namespace Lifeguard.Kit;

/// <summary>Applies an app's embedded, versioned SQL migrations (DbUp, name order, one transaction per script).</summary>
public static class SchemaMigrator
{
    /// <summary>
    /// Brings the schema up to date from the <c>.sql</c> resources of <paramref name="scripts"/>, journaled in
    /// <paramref name="journalTable"/> (DbUp's <c>schemaversions</c> when null); false (after writing the error) when a script failed.
    /// </summary>
    public static bool Run(string connectionString, Assembly scripts, string? journalTable, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        ArgumentNullException.ThrowIfNull(log);
        var builder = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(scripts, name => name.EndsWith(".sql", StringComparison.Ordinal));
        if (journalTable is not null)
        {
            // each app keeps its own journal, so two apps can share one database without reading each other's history
            builder = builder.JournalToPostgresqlTable("public", journalTable);
        }

        var upgrader = builder.WithTransactionPerScript().LogToNowhere().Build();
        var pending = upgrader.GetScriptsToExecute();
        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            log.WriteLine($"migrate: failed in {result.ErrorScript?.Name}: {result.Error.Message}");
            return false;
        }

        log.WriteLine(pending.Count == 0
            ? "migrate: schema is up to date"
            : $"migrate: applied {pending.Count} script(s): {string.Join(", ", pending.Select(s => s.Name))}");
        return true;
    }
}
