using Lifeguard.Kit;
using Microsoft.AspNetCore.Builder;
using Npgsql;

namespace Kit.Tests;

/// <summary>Both apps' command lines: a named verb runs with the arguments after it, anything else serves, and the
/// failures a user can mend end as exit codes (2 configuration, 1 the database of a verb).</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class AppVerbsTests
{
    private static WebApplication NoServe(string[] args) => throw new InvalidOperationException("serve was not expected");

    [Fact]
    public async Task RunAsync_NamedVerb_GetsTheArgumentsAfterIt()
    {
        string[]? seen = null;
        var code = await new AppVerbs("app", "ConnectionStrings:X")
            .Add("seed", a => { seen = a; return Task.FromResult(7); })
            .RunAsync(["seed", "--scale", "0.1"], NoServe);
        code.ShouldBe(7);
        seen.ShouldBe(["--scale", "0.1"]);
    }

    [Fact]
    public async Task RunAsync_ConfigurationProblem_IsOneLineAndExit2()
    {
        var (code, err) = await WithStderr(() => new AppVerbs("app", "ConnectionStrings:X")
            .Add("migrate", _ => throw new StartupConfigurationException("ConnectionStrings:X is missing"))
            .RunAsync(["migrate"], NoServe));
        code.ShouldBe(2);
        err.Trim().ShouldBe("app: ConnectionStrings:X is missing");
    }

    [Fact]
    public async Task RunAsync_VerbCannotReachTheDatabase_NamesTheKeyAndExits1()
    {
        var (code, err) = await WithStderr(() => new AppVerbs("app", "ConnectionStrings:X")
            .Add("migrate", _ => throw new NpgsqlException("connection refused"))
            .RunAsync(["migrate"], NoServe));
        code.ShouldBe(1);
        err.ShouldContain("app migrate: cannot use the database named by ConnectionStrings:X: connection refused");
    }

    [Fact]
    public async Task RunAsync_NoVerb_ServesWithEveryArgument()
    {
        string[]? seen = null;
        var (code, err) = await WithStderr(() => new AppVerbs("app", "ConnectionStrings:X")
            .Add("migrate", _ => Task.FromResult(0))
            .RunAsync(["--urls", "http://127.0.0.1:1"], a =>
            {
                seen = a;
                throw new StartupConfigurationException("no");
            }));
        seen.ShouldBe(["--urls", "http://127.0.0.1:1"]);
        (code, err.Trim()).ShouldBe((2, "app: no"));
    }

    private static async Task<(int Code, string Stderr)> WithStderr(Func<Task<int>> run)
    {
        var original = Console.Error;
        using var err = new StringWriter();
        Console.SetError(err);
        try
        {
            return (await run(), err.ToString());
        }
        finally
        {
            Console.SetError(original);
        }
    }
}
