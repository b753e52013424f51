using System.CommandLine;
using Spectre.Console;

namespace Lifeguard.Cli.Tests;

public sealed class CliAppTests
{
    [Theory]
    [InlineData("--help", "lifeguard [command] [options]")]
    [InlineData("size --help", "lifeguard size [options]")]
    public void Help_NamesTheToolLifeguard_NotItsAssembly(string args, string usage)
    {
        var output = new StringWriter();
        var exit = CliApp.Build(AnsiConsole.Console).Parse(args.Split(' ')).Invoke(new InvocationConfiguration { Output = output });
        exit.ShouldBe(0);
        output.ToString().ShouldContain(usage);
        output.ToString().ShouldNotContain("Lifeguard.Cli");
    }

    [Fact]
    public void Parse_UnknownVerb_IsAnError()
    {
        var parse = CliApp.Build(AnsiConsole.Console).Parse(["bogus"]);
        parse.Errors.ShouldNotBeEmpty();
        parse.Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter() }).ShouldBe(1);
    }
}
