using System.Text.Json.Serialization;

namespace Lifeguard.Diagnosis;

/// <summary>What a <see cref="DiagnosisReport"/> names as the reason the application is slow or failing. On the wire (JSON,
/// metric labels, alerts) each is its snake_case name from <see cref="DiagnosisCauses"/>, whatever the serializer's options.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DiagnosisCause>))]
public enum DiagnosisCause
{
    /// <summary>Nothing wrong that the pool or the server shows.</summary>
    [JsonStringEnumMemberName(DiagnosisCauses.Healthy)] Healthy,
    /// <summary>The pool is pinned at its maximum with requests queued while the server has headroom and queries are not slower.</summary>
    [JsonStringEnumMemberName(DiagnosisCauses.PoolTooSmall)] PoolTooSmall,
    /// <summary>Some statements got several times slower (e.g. a dropped index); connections are held longer.</summary>
    [JsonStringEnumMemberName(DiagnosisCauses.SlowQueries)] SlowQueries,
    /// <summary>The database's CPUs are saturated across most statements.</summary>
    [JsonStringEnumMemberName(DiagnosisCauses.DatabaseCpu)] DatabaseCpu,
    /// <summary>Connections are borrowed and not returned, or the app's sessions sit idle in transaction.</summary>
    [JsonStringEnumMemberName(DiagnosisCauses.ConnectionLeak)] ConnectionLeak,
    /// <summary>Sessions wait on locks behind a root blocker.</summary>
    [JsonStringEnumMemberName(DiagnosisCauses.LockContention)] LockContention,
    /// <summary>The server's connection slots are used up (SQLSTATE 53300).</summary>
    [JsonStringEnumMemberName(DiagnosisCauses.ConnectionLimit)] ConnectionLimit,
    /// <summary>Round trips to the server grew while its execution did not.</summary>
    [JsonStringEnumMemberName(DiagnosisCauses.NetworkLatency)] NetworkLatency,
    /// <summary>The server refuses or drops connections (down, starting, shutting down).</summary>
    [JsonStringEnumMemberName(DiagnosisCauses.DatabaseUnavailable)] DatabaseUnavailable,
    /// <summary>Users suffer (waits, timeouts, errors) and no rule explains it.</summary>
    [JsonStringEnumMemberName(DiagnosisCauses.Unknown)] Unknown,
    /// <summary>Requests queue inside the connection pooler (PgBouncer) for one of its server connections, or it refuses clients, while the server has headroom.</summary>
    [JsonStringEnumMemberName(DiagnosisCauses.PoolerSaturated)] PoolerSaturated,
}
