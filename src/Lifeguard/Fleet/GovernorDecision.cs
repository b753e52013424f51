namespace Lifeguard.Fleet;

/// <summary>What one governor step decided for this instance.</summary>
/// <param name="Target">Its fair share of the budget now.</param>
/// <param name="Cap">The limit on leases to enforce from now on.</param>
/// <param name="Claim">The cap to publish: never below the connections still held, so the claims stay a true upper
/// bound on every instance's connections while a lowered cap drains.</param>
/// <param name="Reason">Why, in a sentence for logs and the live page.</param>
public sealed record GovernorDecision(int Target, int Cap, int Claim, string Reason);
