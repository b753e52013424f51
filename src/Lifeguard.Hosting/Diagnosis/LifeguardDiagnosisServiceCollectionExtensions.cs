using System.Diagnostics.Metrics;
using Lifeguard.Diagnosis;
using Lifeguard.Hosting;
using Lifeguard.Hosting.Diagnosis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Lifeguard's live diagnosis in any host (worker service, console or web app).</summary>
public static class LifeguardDiagnosisServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="LifeguardDiagnosisService"/>: once a second it samples the primary guarded pool (the unkeyed
    /// one, else the first keyed) and, when a server signal source is registered (AddLifeguardPostgres), the server, and
    /// names the cause (exported as <c>lifeguard.diagnosis{cause}</c>, logged when it changes). Call after
    /// AddGuardedDataSource; <see cref="DiagnosisOptions"/> are validated when the host starts. Calling it again only adds
    /// <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddLifeguardDiagnosis(this IServiceCollection services, Action<DiagnosisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DiagnosisOptions>();
        if (configure is not null) options.Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(LifeguardDiagnosisService))) return services;
        options.ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new LifeguardDiagnosisService(
            sp.GetRequiredService<LifeguardPools>().Primary.Guard,
            sp.GetRequiredService<IOptions<DiagnosisOptions>>(),
            sp,
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetService<ILogger<LifeguardDiagnosisService>>() ?? Logging.Abstractions.NullLogger<LifeguardDiagnosisService>.Instance));
        services.AddHostedService(sp => sp.GetRequiredService<LifeguardDiagnosisService>());
        return services;
    }
}
