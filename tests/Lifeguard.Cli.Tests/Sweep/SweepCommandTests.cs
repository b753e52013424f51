using Lifeguard.Cli.Sweep;

namespace Lifeguard.Cli.Tests.Sweep;

public sealed class SweepCommandTests
{
    [Fact]
    public void ParseSizes_UnorderedWithDuplicates_SortedDistinct()
    {
        SweepCommand.ParseSizes("8, 2,100,8").ShouldBe([2, 8, 100]);
        Should.Throw<ArgumentException>(() => SweepCommand.ParseSizes("2,x"));
    }
}
