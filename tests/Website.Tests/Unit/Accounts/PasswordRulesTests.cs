using Website.Accounts;

namespace Website.Tests.Unit.Accounts;

public sealed class PasswordRulesTests
{
    [Theory]
    [InlineData("Demo-Password-1")]
    [InlineData("correct horse Battery")]
    [InlineData("Tr0ub4dor&3x")]
    public void Check_StrongPassword_HasNoProblems(string password) =>
        PasswordRules.Check(password, "someone@example.com").ShouldBeEmpty();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Short-1")]
    [InlineData("alllowercaseletters")]
    [InlineData("aaaaaaaaaA1!")]
    public void Check_WeakPassword_IsRejected(string? password) =>
        PasswordRules.Check(password, "someone@example.com").ShouldNotBeEmpty();

    [Fact]
    public void Check_PasswordContainingEmailName_IsRejected() =>
        PasswordRules.Check("Marguerite-2024", "marguerite@example.com").ShouldContain(p => p.Contains("email"));

    [Fact]
    public void Check_OverlongPassword_IsRejected() =>
        PasswordRules.Check("Aa1!" + new string('x', 200), null).ShouldContain(p => p.Contains("at most"));
}
