using Incidents.Domain;

namespace Incidents.Data;

/// <summary>
/// The one place the domain's enums meet the words stored in the database (the CHECK constraints of the migrations) and
/// shown by the API. SQL takes them as parameters, never as literals. Dapper reads a word into an enum member by name
/// (ignoring case), so each member is named as its word; SqlNamesTests holds the two directions to each other.
/// </summary>
public static class SqlNames
{
    /// <summary>The stored word for an incident status.</summary>
    public static string Of(IncidentStatus value) => value switch
    {
        IncidentStatus.Triggered => "triggered",
        IncidentStatus.Acknowledged => "acknowledged",
        IncidentStatus.Resolved => "resolved",
        _ => throw Unknown(value),
    };

    /// <summary>The stored word for an alert status (Alertmanager's own words).</summary>
    public static string Of(AlertStatus value) => value switch
    {
        AlertStatus.Firing => "firing",
        AlertStatus.Resolved => "resolved",
        _ => throw Unknown(value),
    };

    /// <summary>The stored word for an evidence state.</summary>
    public static string Of(EvidenceState value) => value switch
    {
        EvidenceState.None => "none",
        EvidenceState.Pending => "pending",
        EvidenceState.Done => "done",
        EvidenceState.Failed => "failed",
        _ => throw Unknown(value),
    };

    /// <summary>The stored word for an escalation state.</summary>
    public static string Of(EscalationState value) => value switch
    {
        EscalationState.Running => "running",
        EscalationState.Acknowledged => "acknowledged",
        EscalationState.Finished => "finished",
        EscalationState.Stopped => "stopped",
        _ => throw Unknown(value),
    };

    /// <summary>The stored word for a delivery status.</summary>
    public static string Of(DeliveryStatus value) => value switch
    {
        DeliveryStatus.Pending => "pending",
        DeliveryStatus.Sent => "sent",
        DeliveryStatus.Failed => "failed",
        DeliveryStatus.Cancelled => "cancelled",
        _ => throw Unknown(value),
    };

    /// <summary>The stored word for a channel kind (also the policy file's <c>type</c>).</summary>
    public static string Of(ChannelKind value) => value switch
    {
        ChannelKind.Webhook => "webhook",
        ChannelKind.Slack => "slack",
        ChannelKind.Email => "email",
        _ => throw Unknown(value),
    };

    /// <summary>The member a stored word names.</summary>
    /// <exception cref="InvalidOperationException">The word names no member of <typeparamref name="T"/>.</exception>
    public static T Read<T>(string word) where T : struct, Enum =>
        TryRead<T>(word) ?? throw new InvalidOperationException($"'{word}' is not a stored {typeof(T).Name}");

    /// <summary>The member a stored word names, or null for any other word (the policy file's channel <c>type</c>).</summary>
    public static T? TryRead<T>(string? word) where T : struct, Enum
    {
        // reads go through Of() too, so a word has exactly one spelling in each direction
        foreach (var value in Enum.GetValues<T>())
        {
            if (Word(value) == word) return value;
        }

        return null;
    }

    /// <summary>The stored word for a member of any of the enums above.</summary>
    public static string Word<T>(T value) where T : struct, Enum => value switch
    {
        IncidentStatus v => Of(v),
        AlertStatus v => Of(v),
        EvidenceState v => Of(v),
        EscalationState v => Of(v),
        DeliveryStatus v => Of(v),
        ChannelKind v => Of(v),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, $"{typeof(T).Name} is not stored"),
    };

    private static ArgumentOutOfRangeException Unknown<T>(T value) => new(nameof(value), value, $"no stored name for {typeof(T).Name}");
}
