using Lifeguard.Kit;

namespace Incidents.Data;

/// <summary>Applies the service's embedded SQL migrations; DbUp keeps its journal in <c>incidents_schema_versions</c>, apart from any other app's.</summary>
public static class Migrator
{
    /// <summary>The journal table.</summary>
    public const string JournalTable = "incidents_schema_versions";

    /// <summary>Brings the schema up to date; returns false (after writing the error) when a script failed.</summary>
    public static bool Run(string connectionString, TextWriter log) =>
        SchemaMigrator.Run(connectionString, typeof(Migrator).Assembly, JournalTable, log);
}
