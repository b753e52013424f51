using Website.Accounts;

namespace Website.Tests.Unit.Accounts;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("Demo@Lifeguard.Local", "demo@lifeguard.local")]
    [InlineData("  a.b+tag@example.co.uk ", "a.b+tag@example.co.uk")]
    public void Normalize_ValidAddress_IsTrimmedAndLowerCased(string input, string expected) =>
        EmailAddress.Normalize(input).ShouldBe(expected);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-at-sign")]
    [InlineData("two@@example.com")]
    [InlineData("@example.com")]
    [InlineData("user@localhost")]
    [InlineData("x'; DROP TABLE users; --@example.com")]
    [InlineData("a\"b@example.com")]
    [InlineData("a b@example.com")]
    [InlineData("a\u0000b@example.com")]
    [InlineData("bad\uFFFDbyte@example.com")]
    public void Normalize_InvalidAddress_ReturnsNull(string? input) =>
        EmailAddress.Normalize(input).ShouldBeNull();

    [Fact]
    public void Normalize_Overlong_ReturnsNull() =>
        EmailAddress.Normalize(new string('a', 250) + "@example.com").ShouldBeNull();
}
