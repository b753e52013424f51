using Lifeguard.Cli.Sweep;

namespace Lifeguard.Cli.Tests.Sweep;

public sealed class SweepOptionsTests
{
    [Fact]
    public void Validate_UnboundedOptions_AreRejected()
    {
        new SweepOptions().Validate().ShouldBeEmpty();
        new SweepOptions { Duration = TimeSpan.FromHours(1) }.Validate().ShouldContain(p => p.Contains("--duration", StringComparison.Ordinal));
        new SweepOptions { Sizes = [4] }.Validate().ShouldContain(p => p.Contains("--sizes", StringComparison.Ordinal));
    }
}
