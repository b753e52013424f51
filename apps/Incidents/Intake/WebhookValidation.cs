namespace Incidents.Intake;

/// <summary>Checks a webhook body before anything is stored, so a bad sender gets a clear 400.</summary>
internal static class WebhookValidation
{
    internal const int MaxKeyLength = 4096;
    internal const int MaxAlerts = 10_000;

    /// <summary>Null when the body is usable, else what is wrong with it.</summary>
    public static string? Problem(AlertmanagerWebhook? body)
    {
        if (body is null) return "the body is not an Alertmanager webhook (JSON object expected)";
        if (body.Version != "4") return $"webhook version \"{body.Version}\" is not supported (expected \"4\")";
        if (string.IsNullOrWhiteSpace(body.GroupKey)) return "groupKey is missing";
        if (body.GroupKey.Length > MaxKeyLength) return "groupKey is too long";
        if (body.Status is not ("firing" or "resolved")) return "status must be firing or resolved";
        if (body.TruncatedAlerts < 0) return "truncatedAlerts must not be negative";
        if (body.Alerts is null || body.Alerts.Count == 0) return "alerts is empty";
        if (body.Alerts.Count > MaxAlerts) return "too many alerts";
        foreach (var a in body.Alerts)
        {
            if (a is null) return "an alert is null";
            if (string.IsNullOrWhiteSpace(a.Fingerprint) || a.Fingerprint.Length > 256) return "an alert has no usable fingerprint";
            if (a.Status is not ("firing" or "resolved")) return $"alert {a.Fingerprint}: status must be firing or resolved";
            if (a.StartsAt == default) return $"alert {a.Fingerprint}: startsAt is missing";
        }

        return null;
    }
}
