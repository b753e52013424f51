using Microsoft.AspNetCore.Identity;

namespace Lifeguard.Kit;

/// <summary>
/// Hashing and verifying passwords (ASP.NET Core's PBKDF2 <see cref="IPasswordHasher{TUser}"/>), with a dummy hash of
/// the same parameters to verify against when an email is unknown, so "no such user" costs what "wrong password" costs.
/// Each call takes tens of milliseconds of CPU: callers run it with no pooled connection held (see <see cref="PasswordLogin{TAccount}"/>).
/// </summary>
public sealed class PasswordCheck
{
    private readonly Func<string, string> _hash;
    private readonly Func<string, string, PasswordVerificationResult> _verify;
    private readonly string _dummyHash;

    private PasswordCheck(Func<string, string> hash, Func<string, string, PasswordVerificationResult> verify)
    {
        _hash = hash;
        _verify = verify;
        // made up front by the same hasher, so not even the first unknown email after a start takes longer
        _dummyHash = hash(Guid.NewGuid().ToString("N"));
    }

    /// <summary>A check with <paramref name="hasher"/> (its options, e.g. the iteration count, apply), for users of type <typeparamref name="TUser"/>.</summary>
    public static PasswordCheck For<TUser>(IPasswordHasher<TUser> hasher, TUser user)
        where TUser : class
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(user);
        return new PasswordCheck(p => hasher.HashPassword(user, p), (h, p) => hasher.VerifyHashedPassword(user, h, p));
    }

    /// <summary>The hash to store for <paramref name="password"/>.</summary>
    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return _hash(password);
    }

    /// <summary>Verifies <paramref name="password"/> against <paramref name="storedHash"/>, or against the dummy hash when there is none (always Failed then).</summary>
    public PasswordVerificationResult Verify(string? storedHash, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var verdict = _verify(storedHash ?? _dummyHash, password);
        return storedHash is null ? PasswordVerificationResult.Failed : verdict;
    }
}
