using Lifeguard.Fleet;

namespace Npgsql;

/// <summary>Names a data source's server sessions after this process's Lifeguard identity.</summary>
public static class LifeguardNpgsqlDataSourceBuilderExtensions
{
    /// <summary>Sets the Application Name to <c>service/instance</c> (<see cref="LifeguardIdentity.ApplicationName"/>)
    /// unless the connection string sets one: each instance's sessions are then told apart in pg_stat_activity, by the
    /// diagnosis and by the fleet registry.</summary>
    public static NpgsqlDataSourceBuilder UseLifeguardIdentity(this NpgsqlDataSourceBuilder builder, LifeguardIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(identity);
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName)) builder.ConnectionStringBuilder.ApplicationName = identity.ApplicationName;
        return builder;
    }
}
