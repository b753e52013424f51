using Lifeguard.Kit;

namespace Website.Data;

/// <summary>Applies the site's embedded, versioned SQL migrations (DbUp journal table <c>schemaversions</c>).</summary>
public static class Migrator
{
    /// <summary>Brings the schema up to date; returns false (after writing the error) when a script failed.</summary>
    public static bool Run(string connectionString, TextWriter log) =>
        SchemaMigrator.Run(connectionString, typeof(Migrator).Assembly, journalTable: null, log);
}
