using Lifeguard.Postgres.Activity;

namespace Lifeguard.Postgres.Tests.Activity;

/// <summary>The /proc formats the CPU readings come from, parsed from text: no server, no Linux needed.</summary>
public sealed class ProcStatTests
{
    [Fact]
    public void ParseHostLine_FirstLineOfProcStat_BusyIsAllButIdleAndIowait()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice
        var times = ProcStat.ParseHostLine("cpu  100 5 50 800 40 3 2 0 7 0");
        times.ShouldNotBeNull();
        times.Value.Total.ShouldBe(1000); // the first eight (guest time is already in user)
        times.Value.Busy.ShouldBe(160);
    }

    [Theory]
    [InlineData("cpu0 1 2 3 4 5 6 7 8")]
    [InlineData("intr 1 2 3")]
    [InlineData("cpu 1 2 x 4 5 6")]
    [InlineData("")]
    public void ParseHostLine_NotTheTotalsLine_IsNull(string line) => ProcStat.ParseHostLine(line).ShouldBeNull();

    [Fact]
    public void BusyShare_TwoReadings_ShareOfTheTimeBetweenThem()
    {
        ProcStat.BusyShare(new HostCpuTimes(160, 1000), new HostCpuTimes(310, 1200)).ShouldBe(0.75);
        ProcStat.BusyShare(new HostCpuTimes(160, 1000), new HostCpuTimes(160, 1000)).ShouldBeNull(); // no time passed
    }

    [Fact]
    public void ParseProcess_ProcPidStat_NameParentAndUserPlusSystemTicks()
    {
        const string stat = "4242 (postgres) S 4200 4200 4200 0 -1 4194560 1529 0 0 0 37 12 0 0 20 0 1 0 93 226164736 3478 18446744073709551615";
        var p = ProcStat.ParseProcess(stat);
        p.ShouldNotBeNull();
        p.Value.Name.ShouldBe("postgres");
        p.Value.Parent.ShouldBe(4200);
        p.Value.Ticks.ShouldBe(49);
    }

    [Fact]
    public void ParseProcess_NameWithSpacesAndParentheses_ReadFromTheLastParenthesis()
    {
        var p = ProcStat.ParseProcess("77 (we (ird) name) R 1 77 77 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1 0 0");
        p!.Value.Name.ShouldBe("we (ird) name");
        p.Value.Parent.ShouldBe(1);
        p.Value.Ticks.ShouldBe(11);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12 (cut")]
    [InlineData("12 (short) S 1 2 3")]
    public void ParseProcess_NotAStatLine_IsNull(string stat) => ProcStat.ParseProcess(stat).ShouldBeNull();

    [Fact]
    public void CountProcessors_Cpuinfo_OneEntryPerProcessor() =>
        ProcStat.CountProcessors(["processor\t: 0", "model name\t: x", "", "processor\t: 1", "flags\t: fpu"]).ShouldBe(2);

    [Fact]
    public void ParseSomeTotal_PressureFile_TheSomeLinesCumulativeStall()
    {
        HostCpuPressure.ParseSomeTotal([
            "some avg10=13.73 avg60=30.65 avg300=34.85 total=5403655728",
            "full avg10=0.00 avg60=0.00 avg300=0.00 total=0",
        ]).ShouldBe(5403655728);
        HostCpuPressure.ParseSomeTotal(["full avg10=0.00 avg60=0.00 avg300=0.00 total=12"]).ShouldBeNull(); // no "some" line
        HostCpuPressure.ParseSomeTotal(["some avg10=1.00 total=x"]).ShouldBeNull();
        HostCpuPressure.ParseSomeTotal([]).ShouldBeNull();
    }
}
