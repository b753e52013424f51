namespace Lifeguard.Fleet;

/// <summary>One live instance as the fleet governor sees it in the registry.</summary>
/// <param name="Instance">The instance's name (<c>service/instance</c>); ties are broken by it, so every instance
/// computes the same shares from the same rows.</param>
/// <param name="PoolMax">Its provider pool's Maximum Pool Size: never given more.</param>
/// <param name="Wanted">Connections its measured load needs (the sizing advisor's answer; at least 1).</param>
/// <param name="Claim">The cap it has published: the most connections it may hold. The claims of all members never add
/// up to more than the budget.</param>
public sealed record FleetMember(string Instance, int PoolMax, int Wanted, int Claim);
