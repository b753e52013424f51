namespace Incidents.Escalations;

/// <summary>The validated policy file: users, channels, schedules, policies and the routes that pick one for an incident.</summary>
public sealed class EscalationConfig
{
    /// <summary>An empty configuration: no policy, nothing escalates (the service without a policy file).</summary>
    public static EscalationConfig Empty { get; } = new(new Dictionary<string, OnCallUser>(), new Dictionary<string, ChannelDefinition>(), new Dictionary<string, OnCallSchedule>(), new Dictionary<string, EscalationPolicy>(), [], null);

    /// <summary>Creates a configuration; <see cref="PolicyFile"/> validates one.</summary>
    public EscalationConfig(
        IReadOnlyDictionary<string, OnCallUser> users,
        IReadOnlyDictionary<string, ChannelDefinition> channels,
        IReadOnlyDictionary<string, OnCallSchedule> schedules,
        IReadOnlyDictionary<string, EscalationPolicy> policies,
        IReadOnlyList<EscalationRoute> routes,
        string? defaultPolicy)
    {
        Users = users;
        Channels = channels;
        Schedules = schedules;
        Policies = policies;
        Routes = routes;
        DefaultPolicy = defaultPolicy;
    }

    /// <summary>Users by name.</summary>
    public IReadOnlyDictionary<string, OnCallUser> Users { get; }

    /// <summary>Channels by name.</summary>
    public IReadOnlyDictionary<string, ChannelDefinition> Channels { get; }

    /// <summary>Schedules by name.</summary>
    public IReadOnlyDictionary<string, OnCallSchedule> Schedules { get; }

    /// <summary>Policies by name.</summary>
    public IReadOnlyDictionary<string, EscalationPolicy> Policies { get; }

    /// <summary>Routes in file order; the first match wins.</summary>
    public IReadOnlyList<EscalationRoute> Routes { get; }

    /// <summary>The policy for incidents no route matches; null: they do not escalate.</summary>
    public string? DefaultPolicy { get; }

    /// <summary>The policy for an incident with these labels: the first route that matches, else the default; null when none.</summary>
    public EscalationPolicy? Route(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var name = Routes.FirstOrDefault(r => r.Matches(labels))?.Policy ?? DefaultPolicy;
        return name is null ? null : Policies[name];
    }
}
