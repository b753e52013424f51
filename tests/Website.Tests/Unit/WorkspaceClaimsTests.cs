using System.Security.Claims;

namespace Website.Tests.Unit;

public sealed class WorkspaceClaimsTests
{
    [Fact]
    public void GetWorkspaceId_PrincipalFromCreate_RoundTrips() =>
        WorkspaceClaims.GetWorkspaceId(WorkspaceClaims.Create(7, "a@b.test", 42, "cookie")).ShouldBe(42);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("1 OR 1=1")]
    [InlineData("99999999999999999999999")]
    public void GetWorkspaceId_MissingOrMalformedClaim_IsNull(string? value)
    {
        var claims = value is null ? [] : new[] { new Claim(WorkspaceClaims.WorkspaceId, value) };
        WorkspaceClaims.GetWorkspaceId(new ClaimsPrincipal(new ClaimsIdentity(claims, "cookie"))).ShouldBeNull();
    }
}
