using System.Text.RegularExpressions;
using Lifeguard.Contracts.Alertmanager;
using Lifeguard.Kit;

namespace Incidents.Intake;

/// <summary>Checks a webhook body before anything is stored, so a bad sender gets a clear 400 (or 413 for too much).</summary>
internal static partial class WebhookValidation
{
    internal const int MaxKeyLength = 4096;

    /// <summary>Null when the body is usable, else what is wrong with it and the status to answer.</summary>
    public static (string Problem, int Status)? Check(AlertmanagerWebhook? body, IntakeOptions bounds)
    {
        if (body is null) return ("the body is not an Alertmanager webhook (JSON object expected)", 400);
        if (body.Version != AlertmanagerWebhook.CurrentVersion) return ($"webhook version \"{SafeText.Printable(body.Version, 20)}\" is not supported (expected \"{AlertmanagerWebhook.CurrentVersion}\")", 400);
        if (string.IsNullOrWhiteSpace(body.GroupKey)) return ("groupKey is missing", 400);
        if (body.GroupKey.Length > MaxKeyLength) return ("groupKey is too long", 400);
        // a key with CR/LF would forge log lines and break every page it is shown on
        if (SafeText.HasControl(body.GroupKey)) return ("groupKey holds control characters", 400);
        if (body.Status is not (AlertmanagerStatus.Firing or AlertmanagerStatus.Resolved)) return ("status must be firing or resolved", 400);
        if (body.TruncatedAlerts < 0) return ("truncatedAlerts must not be negative", 400);
        if (body.Alerts is null || body.Alerts.Count == 0) return ("alerts is empty", 400);
        if (body.Alerts.Count > bounds.MaxAlertsPerBody)
        {
            return ($"{body.Alerts.Count} alerts in one body; at most {bounds.MaxAlertsPerBody} (set max_alerts in Alertmanager's webhook_config)", 413);
        }

        foreach (var (name, labels) in new[] { ("groupLabels", body.GroupLabels), ("commonLabels", body.CommonLabels) })
        {
            if (Labels(name, labels, bounds, isLabel: true) is { } p) return (p, 400);
        }

        if (Labels("commonAnnotations", body.CommonAnnotations, bounds, isLabel: false) is { } cp) return (cp, 400);
        foreach (var a in body.Alerts)
        {
            if (a is null) return ("an alert is null", 400);
            if (string.IsNullOrWhiteSpace(a.Fingerprint) || a.Fingerprint.Length > 256 || SafeText.HasControl(a.Fingerprint)) return ("an alert has no usable fingerprint", 400);
            var fp = a.Fingerprint;
            if (a.Status is not (AlertmanagerStatus.Firing or AlertmanagerStatus.Resolved)) return ($"alert {fp}: status must be firing or resolved", 400);
            if (a.StartsAt == default) return ($"alert {fp}: startsAt is missing", 400);
            if (Labels($"alert {fp}: labels", a.Labels, bounds, isLabel: true) is { } lp) return (lp, 400);
            if (Labels($"alert {fp}: annotations", a.Annotations, bounds, isLabel: false) is { } ap) return (ap, 400);
            if (a.GeneratorUrl is { Length: > 2048 }) return ($"alert {fp}: generatorURL is too long", 400);
        }

        return null;
    }

    // label names as Prometheus allows them; values without control characters (annotation values may span lines)
    private static string? Labels(string where, Dictionary<string, string>? set, IntakeOptions bounds, bool isLabel)
    {
        if (set is null) return null;
        if (set.Count > bounds.MaxLabelsPerAlert) return $"{where}: {set.Count} entries, at most {bounds.MaxLabelsPerAlert}";
        foreach (var (k, v) in set)
        {
            if (k.Length > bounds.MaxNameLength || !LabelName().IsMatch(k)) return $"{where}: \"{SafeText.Printable(k, 40)}\" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, at most {bounds.MaxNameLength})";
            if (v is null) return $"{where}: {k} has no value";
            if (v.Length > bounds.MaxValueLength) return $"{where}: {k} is longer than {bounds.MaxValueLength} characters";
            if (isLabel ? SafeText.HasControl(v) : v.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            {
                return $"{where}: {k} holds control characters";
            }
        }

        return null;
    }

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}
