namespace Lifeguard.Cli.Tests.Load;

public sealed class LoadCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("load", "--url", "http://10.0.0.1:5080")]
    [InlineData("load", "--users", "0")]
    [InlineData("load", "--duration", "soon")]
    [InlineData("drill", "--pool-size", "0")]
    [InlineData("drill", "--network-delay", "far")]
    [InlineData("drill", "--fault", "fleet", "--instances", "1")]
    [InlineData("drill", "--fault", "fleet", "--instances", "7")]
    [InlineData("drill", "--fault", "fleet", "--fleet-pg-port", "80")]
    [InlineData("drill", "--fault", "lock", "--instances", "3")]
    public async Task Verb_UnusableInput_ExitsOneBeforeSendingAnything(params string[] args)
    {
        // Nothing listens on the default URL in tests: reaching the network would fail differently (and slowly).
        var (exit, _, _) = await _cli.RunAsync(args);

        exit.ShouldBe(1);
    }
}
