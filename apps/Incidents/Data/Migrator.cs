using DbUp;

namespace Incidents.Data;

/// <summary>Applies the embedded SQL migrations; DbUp keeps its journal in <c>incidents_schema_versions</c>, apart from any other app's.</summary>
public static class Migrator
{
    /// <summary>The journal table.</summary>
    public const string JournalTable = "incidents_schema_versions";

    /// <summary>Brings the schema up to date; returns false (after writing the error) when a script failed.</summary>
    public static bool Run(string connectionString, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.EndsWith(".sql", StringComparison.Ordinal))
            .JournalToPostgresqlTable("public", JournalTable)
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();

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
