using Lifeguard.Kit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Kit.Tests;

/// <summary>The password check both apps' logins use: PBKDF2 through ASP.NET Core's hasher, a dummy hash for unknown emails.</summary>
public sealed class PasswordCheckTests
{
    // few iterations: the test is about verdicts, not cost
    private static readonly PasswordCheck Check = PasswordCheck.For(
        new PasswordHasher<string>(Options.Create(new PasswordHasherOptions { IterationCount = 1000 })), "");

    [Fact]
    public void Verify_TheHashedPassword_Succeeds() =>
        Check.Verify(Check.Hash("correct horse battery"), "correct horse battery").ShouldBe(PasswordVerificationResult.Success);

    [Fact]
    public void Verify_AnotherPassword_Fails() =>
        Check.Verify(Check.Hash("correct horse battery"), "wrong horse battery").ShouldBe(PasswordVerificationResult.Failed);

    [Fact]
    public void Verify_NoStoredHash_FailsWhateverThePassword() =>
        Check.Verify(null, "").ShouldBe(PasswordVerificationResult.Failed);

    [Fact]
    public void Verify_HashOfWeakerParameters_AsksForARehash()
    {
        var weaker = PasswordCheck.For(new PasswordHasher<string>(Options.Create(new PasswordHasherOptions { IterationCount = 100 })), "");
        Check.Verify(weaker.Hash("correct horse battery"), "correct horse battery").ShouldBe(PasswordVerificationResult.SuccessRehashNeeded);
    }
}
