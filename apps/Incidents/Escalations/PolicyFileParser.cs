using System.Globalization;
using Incidents.Data;
using Incidents.Domain;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Incidents.Escalations;

/// <summary>The policy file's reader: walks the YAML node tree section by section and collects every problem with its line.</summary>
internal sealed class PolicyFileParser(string file, DateTimeOffset now)
{
    public List<string> Errors { get; } = [];

    public EscalationConfig? Run(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            Errors.Add($"{file}:{ex.Start.Line}: {ex.Message}");
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            Errors.Add($"{file}:1: the file must be a mapping with users, channels, schedules, policies, routes and default_policy");
            return null;
        }

        foreach (var key in root.Children.Keys)
        {
            if (!PolicyFile.TopLevel.Contains(Text(key))) Error(key, $"unknown section '{Text(key)}' (known: {string.Join(", ", PolicyFile.TopLevel)})");
        }

        var users = Named(root, "users", (name, n) => User(name, n));
        var channels = Named(root, "channels", (name, n) => Channel(name, n));
        var schedules = Named(root, "schedules", (name, n) => Schedule(name, n, users));
        var policies = Named(root, "policies", (name, n) => Policy(name, n, users, channels, schedules));
        var routes = new List<EscalationRoute>();
        if (Child(root, "routes") is { } routesNode)
        {
            if (routesNode is not YamlSequenceNode seq) Error(routesNode, "routes must be a list");
            else foreach (var r in seq) if (Route(r, policies) is { } route) routes.Add(route);
        }

        string? defaultPolicy = null;
        if (Child(root, "default_policy") is { } d)
        {
            defaultPolicy = Text(d);
            if (!policies.ContainsKey(defaultPolicy)) Error(d, $"default_policy '{defaultPolicy}' is not a policy");
        }

        return Errors.Count > 0 ? null : new EscalationConfig(users, channels, schedules, policies, routes, defaultPolicy);
    }

    private Dictionary<string, T> Named<T>(YamlMappingNode root, string section, Func<string, YamlNode, T?> read)
        where T : class
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        if (Child(root, section) is not { } node) return result;
        if (node is not YamlMappingNode map)
        {
            Error(node, $"{section} must be a mapping of name → definition");
            return result;
        }

        foreach (var (k, v) in map.Children)
        {
            if (read(Text(k), v) is { } item) result[Text(k)] = item;
        }

        return result;
    }

    private OnCallUser? User(string name, YamlNode node)
    {
        if (!Mapping(node, $"user '{name}'", ["email"], out var m)) return null;
        var email = Required(m, "email", $"user '{name}'");
        if (email is null) return null;
        if (!email.Contains('@', StringComparison.Ordinal)) Error(Child(m, "email")!, $"user '{name}': '{email}' is not an e-mail address");
        return new OnCallUser(name, email);
    }

    private ChannelDefinition? Channel(string name, YamlNode node)
    {
        if (!Mapping(node, $"channel '{name}'", ["type", "url", "to"], out var m)) return null;
        var type = Required(m, "type", $"channel '{name}'");
        if (type is null) return null;
        // the file's type words are the stored ones (SqlNames), so a kind has one spelling everywhere
        if (SqlNames.TryRead<ChannelKind>(type) is not { } kind)
        {
            Error(Child(m, "type")!, $"channel '{name}': type '{type}' is not webhook, slack or email");
            return null;
        }

        Uri? url = null;
        var to = new List<string>();
        if (kind == ChannelKind.Email)
        {
            var toNode = Child(m, "to");
            if (toNode is null) Error(node, $"channel '{name}': an email channel needs 'to' (one address or a list)");
            else to.AddRange(toNode is YamlSequenceNode s ? s.Select(Text) : [Text(toNode)]);
            foreach (var a in to.Where(a => !a.Contains('@', StringComparison.Ordinal))) Error(toNode!, $"channel '{name}': '{a}' is not an e-mail address");
        }
        // a webhook's or Slack's URL may stay out of the file (it is a secret): Incidents:Channels:NAME:Url gives it
        else if (Child(m, "url") is { } urlNode && Text(urlNode) is { Length: > 0 } u)
        {
            if (!Uri.TryCreate(u, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https"))
            {
                Error(Child(m, "url")!, $"channel '{name}': url '{u}' is not an absolute http(s) URL");
            }
        }

        return new ChannelDefinition(name, kind, url, to, Line(node));
    }

    private OnCallSchedule? Schedule(string name, YamlNode node, Dictionary<string, OnCallUser> users)
    {
        var what = $"schedule '{name}'";
        if (!Mapping(node, what, ["time_zone", "rotation", "start", "hand_off", "users", "overrides", "ical"], out var m)) return null;
        var ok = true;
        TimeZoneInfo? zone = null;
        if (Required(m, "time_zone", what) is { } tz)
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(tz);
            }
            catch (TimeZoneNotFoundException)
            {
                ok = Error(Child(m, "time_zone")!, $"{what}: time zone '{tz}' is unknown (use an IANA name such as Europe/Berlin)");
            }
        }
        else
        {
            ok = false;
        }

        var rotation = Rotation.Weekly;
        if (Child(m, "rotation") is { } r)
        {
            switch (Text(r))
            {
                case "daily": rotation = Rotation.Daily; break;
                case "weekly": rotation = Rotation.Weekly; break;
                default: ok = Error(r, $"{what}: rotation '{Text(r)}' is not daily or weekly"); break;
            }
        }

        var start = DateOnly.MinValue;
        if (Required(m, "start", what) is { } s && !DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out start))
        {
            ok = Error(Child(m, "start")!, $"{what}: start '{s}' is not a date (yyyy-MM-dd)");
        }

        var handOff = new TimeOnly(9, 0);
        if (Child(m, "hand_off") is { } h && !TimeOnly.TryParseExact(Text(h), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out handOff))
        {
            ok = Error(h, $"{what}: hand_off '{Text(h)}' is not a time (HH:mm)");
        }

        var rota = new List<string>();
        if (Child(m, "users") is YamlSequenceNode us && us.Children.Count > 0)
        {
            foreach (var u in us)
            {
                if (!users.ContainsKey(Text(u))) ok = Error(u, $"{what}: user '{Text(u)}' is not in users");
                rota.Add(Text(u));
            }
        }
        else
        {
            ok = Error(Child(m, "users") ?? node, $"{what}: users must be a non-empty list");
        }

        var overrides = new List<ScheduleOverride>();
        // shifts from an iCalendar file first: the overrides written in this file come later, so they win
        if (Child(m, "ical") is { } ical)
        {
            var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".", Text(ical));
            string text;
            try
            {
                text = File.ReadAllText(path);
                var (shifts, problems) = ICalendarShifts.Read(text, users, now);
                foreach (var problem in problems) ok = Error(ical, $"{what}: {Text(ical)}: {problem}");
                overrides.AddRange(shifts);
            }
            catch (IOException ex)
            {
                ok = Error(ical, $"{what}: ical file {path} cannot be read: {ex.Message}");
            }
        }

        if (Child(m, "overrides") is { } ov)
        {
            if (ov is not YamlSequenceNode seq)
            {
                ok = Error(ov, $"{what}: overrides must be a list");
            }
            else
            {
                foreach (var o in seq)
                {
                    if (!Mapping(o, $"{what}: override", ["user", "from", "to"], out var om)) { ok = false; continue; }
                    var user = Required(om, "user", $"{what}: override");
                    if (user is not null && !users.ContainsKey(user)) ok = Error(Child(om, "user")!, $"{what}: override user '{user}' is not in users");
                    var from = Instant(om, "from", what);
                    var to = Instant(om, "to", what);
                    if (from is null || to is null || user is null) { ok = false; continue; }
                    if (to <= from) ok = Error(o, $"{what}: override ends ({to:O}) before it starts ({from:O})");
                    overrides.Add(new ScheduleOverride(user, from.Value, to.Value));
                }
            }
        }

        return ok && zone is not null ? new OnCallSchedule(name, zone, rotation, start, handOff, rota, overrides) : null;
    }

    private DateTimeOffset? Instant(YamlMappingNode m, string key, string what)
    {
        if (Required(m, key, $"{what}: override") is not { } v) return null;
        // an offset is required: a local time without one is ambiguous on a fall-back night
        if (DateTimeOffset.TryParseExact(v, ["yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'"],
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return t.ToUniversalTime();
        }

        Error(Child(m, key)!, $"{what}: override {key} '{v}' is not a time with an offset (2026-03-29T09:00+02:00 or ...Z)");
        return null;
    }

    private EscalationPolicy? Policy(string name, YamlNode node, Dictionary<string, OnCallUser> users,
        Dictionary<string, ChannelDefinition> channels, Dictionary<string, OnCallSchedule> schedules)
    {
        var what = $"policy '{name}'";
        if (!Mapping(node, what, ["ack_timeout", "steps"], out var m)) return null;
        var ok = true;
        double? ackTimeout = null;
        if (Child(m, "ack_timeout") is { } a)
        {
            ackTimeout = Minutes(a, $"{what}: ack_timeout");
            ok &= ackTimeout is not null;
        }

        var steps = new List<EscalationStep>();
        if (Child(m, "steps") is not YamlSequenceNode seq || seq.Children.Count == 0)
        {
            Error(Child(m, "steps") ?? node, $"{what}: steps must be a non-empty list");
            return null;
        }

        foreach (var s in seq)
        {
            var n = steps.Count + 1;
            if (s is not YamlMappingNode sm || sm.Children.Count != 1)
            {
                ok = Error(s, $"{what}: step {n} must be one of notify_user, notify_schedule, notify_channel, wait, repeat (one key per step)");
                continue;
            }

            var (k, v) = sm.Children.First();
            var line = Line(s);
            switch (Text(k))
            {
                case "notify_user":
                    if (!users.ContainsKey(Text(v))) ok = Error(v, $"{what}: step {n}: user '{Text(v)}' is not in users");
                    steps.Add(new EscalationStep(StepKind.NotifyUser, Text(v), 0, 0, 0, line));
                    break;
                case "notify_schedule":
                    if (!schedules.ContainsKey(Text(v))) ok = Error(v, $"{what}: step {n}: schedule '{Text(v)}' is not in schedules");
                    steps.Add(new EscalationStep(StepKind.NotifySchedule, Text(v), 0, 0, 0, line));
                    break;
                case "notify_channel":
                    if (!channels.ContainsKey(Text(v))) ok = Error(v, $"{what}: step {n}: channel '{Text(v)}' is not in channels");
                    steps.Add(new EscalationStep(StepKind.NotifyChannel, Text(v), 0, 0, 0, line));
                    break;
                case "wait":
                    var minutes = Minutes(v, $"{what}: step {n}: wait");
                    ok &= minutes is not null;
                    steps.Add(new EscalationStep(StepKind.Wait, null, minutes ?? 0, 0, 0, line));
                    break;
                case "repeat":
                    if (!Mapping(v, $"{what}: step {n}: repeat", ["from", "times"], out var rm)) { ok = false; break; }
                    var from = Int(rm, "from", $"{what}: step {n}: repeat");
                    var times = Int(rm, "times", $"{what}: step {n}: repeat");
                    if (from is null || times is null) { ok = false; break; }
                    if (from < 1 || from >= n) ok = Error(v, $"{what}: step {n}: repeat from {from} must name an earlier step (1..{n - 1})");
                    else if (times < 1 || times > 100) ok = Error(v, $"{what}: step {n}: repeat times {times} must be 1..100");
                    else if (!steps.Skip(from.Value - 1).Any(x => x.Kind == StepKind.Wait))
                    {
                        ok = Error(v, $"{what}: step {n}: repeating steps {from}..{n - 1} without a wait would notify {times + 1} times at once");
                    }

                    steps.Add(new EscalationStep(StepKind.Repeat, null, 0, from.Value, times.Value, line));
                    break;
                default:
                    ok = Error(k, $"{what}: step {n}: '{Text(k)}' is not notify_user, notify_schedule, notify_channel, wait or repeat");
                    break;
            }
        }

        return ok ? new EscalationPolicy(name, ackTimeout, steps) : null;
    }

    private EscalationRoute? Route(YamlNode node, Dictionary<string, EscalationPolicy> policies)
    {
        if (!Mapping(node, "route", ["match", "policy"], out var m)) return null;
        var policy = Required(m, "policy", "route");
        var match = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(m, "match") is YamlMappingNode mm && mm.Children.Count > 0)
        {
            foreach (var (k, v) in mm.Children) match[Text(k)] = Text(v);
        }
        else
        {
            Error(Child(m, "match") ?? node, "route: match must be a non-empty mapping of label → value (use default_policy for the rest)");
            return null;
        }

        if (policy is null) return null;
        if (!policies.ContainsKey(policy)) { Error(Child(m, "policy")!, $"route: policy '{policy}' is not a policy"); return null; }
        return new EscalationRoute(match, policy, Line(node));
    }

    private double? Minutes(YamlNode node, string what)
    {
        if (double.TryParse(Text(node), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && v <= 7 * 24 * 60) return v;
        Error(node, $"{what} '{Text(node)}' must be minutes, a number above 0 and at most a week (10080)");
        return null;
    }

    private int? Int(YamlMappingNode m, string key, string what)
    {
        if (Required(m, key, what) is not { } v) return null;
        if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)) return i;
        Error(Child(m, key)!, $"{what}: {key} '{v}' is not a whole number");
        return null;
    }

    private bool Mapping(YamlNode node, string what, string[] keys, out YamlMappingNode map)
    {
        map = node as YamlMappingNode ?? new YamlMappingNode();
        if (node is not YamlMappingNode) return Error(node, $"{what} must be a mapping ({string.Join(", ", keys)})");
        var ok = true;
        foreach (var k in map.Children.Keys.Where(k => !keys.Contains(Text(k))))
        {
            ok = Error(k, $"{what}: unknown key '{Text(k)}' (known: {string.Join(", ", keys)})");
        }

        return ok;
    }

    private string? Required(YamlMappingNode m, string key, string what)
    {
        if (Child(m, key) is { } v && Text(v).Length > 0) return Text(v);
        Error(m, $"{what}: '{key}' is required");
        return null;
    }

    private static YamlNode? Child(YamlMappingNode m, string key) =>
        m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static string Text(YamlNode n) => n is YamlScalarNode s ? s.Value ?? "" : "";

    private static int Line(YamlNode n) => (int)n.Start.Line;

    // returns false so callers can write `ok = Error(...)`
    private bool Error(YamlNode at, string message)
    {
        Errors.Add($"{file}:{at.Start.Line}: {message}");
        return false;
    }
}
