namespace Lifeguard.Diagnosis;

/// <summary>Active sessions by what they wait on ("CPU" when on CPU, as Performance Insights shows it).</summary>
/// <param name="Type">wait_event_type, or "CPU".</param>
/// <param name="Name">wait_event, or "CPU".</param>
/// <param name="Sessions">Active sessions with that wait.</param>
public sealed record WaitEventCount(string Type, string Name, int Sessions);
