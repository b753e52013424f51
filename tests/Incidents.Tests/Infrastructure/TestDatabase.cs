using Incidents.Data;

namespace Incidents.Tests.Infrastructure;

/// <summary>The incident service's test databases: <c>incidents_test_*</c>, migrated by the service's own migrations.</summary>
internal static class IncidentsTestDatabase
{
    extension(TestDatabase)
    {
        /// <summary>A fresh, migrated incident database on the test server.</summary>
        public static Task<TestDatabase> CreateAsync() => TestDatabase.CreateAsync("incidents_test_", Migrator.Run);
    }
}
