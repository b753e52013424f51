using Website.Data;
using Website.Tests.Infrastructure;

namespace Lifeguard.TestSupport;

/// <summary>The website's part of the shared test database: its server, name prefix and migrations.</summary>
internal sealed partial class TestDatabase
{
    private static partial string ServerConnectionString => TestEnvironment.ServerConnectionString;

    private static partial string NamePrefix => "website_test_";

    private static partial bool Migrate(string connectionString, TextWriter log) => Migrator.Run(connectionString, log);
}
