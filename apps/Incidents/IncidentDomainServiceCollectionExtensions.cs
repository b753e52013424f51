using Incidents.Data;
using Incidents.Escalations;
using Incidents.Evidence;
using Incidents.Intake;
using Incidents.Measures;
using Incidents.Workers;

namespace Incidents;

/// <summary>Registers the incident domain: intake, the responder's actions, reads, evidence and escalation with their workers.</summary>
public static class IncidentDomainServiceCollectionExtensions
{
    /// <summary>Adds the domain's services; <paramref name="options"/> are the validated options, <paramref name="configuration"/> holds channel overrides.</summary>
    public static IServiceCollection AddIncidentDomain(this IServiceCollection services, IncidentsOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<IncidentsDatabase>();
        services.AddSingleton(typeof(WorkSignal<>));
        services.AddSingleton<IncidentChangeWriter>();
        services.AddSingleton<IntakeService>();
        services.AddSingleton<IncidentActions>();
        services.AddSingleton<IncidentQueries>();
        services.AddSingleton<MeasuresQuery>();
        // IHttpClientFactory's loggers write every request's URI: a channel's URL is its secret, so none of them
        services.ConfigureHttpClientDefaults(b => b.RemoveAllLoggers());
        services.AddHttpClient(EvidenceWorker.HttpClientName, c => c.Timeout = options.Evidence.Timeout + TimeSpan.FromSeconds(1))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
        services.AddHostedService<EvidenceWorker>();
        services.AddSingleton(EscalationConfigLoader.Load(options.Escalation, configuration));
        services.AddSingleton<EscalationLifecycle>();
        services.AddSingleton<NotificationSender>();
        services.AddSingleton<EscalationQueries>();
        services.AddHttpClient(NotificationSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
        services.AddHostedService<EscalationWorker>();
        return services;
    }
}
