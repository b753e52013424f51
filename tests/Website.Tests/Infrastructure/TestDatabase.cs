using Website.Data;

namespace Website.Tests.Infrastructure;

/// <summary>The website's test databases: <c>website_test_*</c>, migrated by the site's own migrations.</summary>
internal static class WebsiteTestDatabase
{
    extension(TestDatabase)
    {
        /// <summary>A fresh, migrated website database on the test server.</summary>
        public static Task<TestDatabase> CreateAsync() => TestDatabase.CreateAsync("website_test_", Migrator.Run);
    }
}
