using DbUp;

namespace Website.Data;

/// <summary>Applies the embedded, versioned SQL migrations (DbUp journal table <c>schemaversions</c>).</summary>
public static class Migrator
{
    /// <summary>Brings the schema up to date; returns false (after writing the error) when a script failed.</summary>
    public static bool Run(string connectionString, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.EndsWith(".sql", StringComparison.Ordinal))
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
