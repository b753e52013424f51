using Lifeguard.Postgres.QueryReview;
using Lifeguard.Statements;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the live page's slowest-statements section for PostgreSQL.</summary>
public static class QueryReviewServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ISlowStatementSource"/> over the database behind <paramref name="connectionString"/> (the role needs
    /// pg_monitor or pg_read_all_stats to see every statement); MapLifeguard serves it at /lifeguard/statements.
    /// Defaults: the top 10 statements with at least 10 calls, no mean-time floor, plans without ANALYZE.
    /// </summary>
    public static IServiceCollection AddLifeguardQueryReview(this IServiceCollection services, string connectionString, Action<QueryReviewOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new QueryReviewOptions { Top = 10, MinCalls = 10, MinMeanMs = 0 };
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISlowStatementSource>(sp => new PostgresSlowStatementSource(connectionString, options, sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
