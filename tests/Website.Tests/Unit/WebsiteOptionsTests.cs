using System.ComponentModel.DataAnnotations;

namespace Website.Tests.Unit;

public sealed class WebsiteOptionsTests
{
    private static List<ValidationResult> Validate(WebsiteOptions o)
    {
        var problems = new List<ValidationResult>();
        Validator.TryValidateObject(o, new ValidationContext(o), problems, validateAllProperties: true);
        return problems;
    }

    [Fact]
    public void Validate_Defaults_AreValid() => Validate(new WebsiteOptions()).ShouldBeEmpty();

    [Fact]
    public void Validate_AbsoluteLifetimeShorterThanIdleTimeout_IsRejectedByName()
    {
        var problems = Validate(new WebsiteOptions { SessionIdleTimeout = TimeSpan.FromHours(8), SessionAbsoluteLifetime = TimeSpan.FromHours(2) });
        problems.ShouldHaveSingleItem().MemberNames.ShouldBe([nameof(WebsiteOptions.SessionAbsoluteLifetime)]);
    }

    [Fact]
    public void Validate_ZeroCleanupInterval_IsRejected() =>
        Validate(new WebsiteOptions { CleanupInterval = TimeSpan.Zero }).ShouldNotBeEmpty();
}
