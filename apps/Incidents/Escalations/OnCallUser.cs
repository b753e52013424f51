namespace Incidents.Escalations;

/// <summary>A person who can be notified.</summary>
/// <param name="Name">Their name in the file.</param>
/// <param name="Email">Where their notifications go.</param>
public sealed record OnCallUser(string Name, string Email);
