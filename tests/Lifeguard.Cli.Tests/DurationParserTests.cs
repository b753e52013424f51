namespace Lifeguard.Cli.Tests;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData("10", 10)]
    [InlineData(" 1.5S ", 1.5)]
    public void Parse_KnownUnits_ReturnsSeconds(string text, double seconds)
    {
        DurationParser.Parse(text, "--x").TotalSeconds.ShouldBe(seconds, 1e-9);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-1s")]
    [InlineData("")]
    public void Parse_Garbage_FailsNamingTheOption(string text)
    {
        Should.Throw<CliException>(() => DurationParser.Parse(text, "--window")).Message.ShouldContain("--window");
        DurationParser.TryParse(text, out _).ShouldBeFalse();
    }
}
