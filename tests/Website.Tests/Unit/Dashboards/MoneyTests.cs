using Website.Dashboards;

namespace Website.Tests.Unit.Dashboards;

public sealed class MoneyTests
{
    [Theory]
    [InlineData(0, "$0.00")]
    [InlineData(5, "$0.05")]
    [InlineData(123456789, "$1,234,567.89")]
    [InlineData(-250, "-$2.50")]
    public void Format_Cents_IsDollarsWithTwoDecimals(long cents, string expected) => Money.Format(cents).ShouldBe(expected);
}
