namespace Lifeguard.Diagnosis;

/// <summary>A group of server connections by who opened them.</summary>
/// <param name="Application">application_name ("" when unset).</param>
/// <param name="User">The role.</param>
/// <param name="Client">Client address ("local" for a socket).</param>
/// <param name="Connections">How many connection slots the group holds.</param>
public sealed record SlotHolder(string Application, string User, string Client, int Connections);
