using System.Diagnostics;
using System.Runtime.InteropServices;
using Lifeguard.Timing;

using Lifeguard.TestSupport;

namespace Lifeguard.Tests.Timing;

public sealed class CpuTimestampClockTests
{
    [Theory]
    [InlineData("stopwatch", true, true, "tsc", "LIFEGUARD_CLOCK=stopwatch")]
    [InlineData(" StopWatch ", true, true, "tsc", "LIFEGUARD_CLOCK=stopwatch")]
    [InlineData(null, false, false, null, "not Linux on x64")]
    [InlineData(null, true, false, "tsc", "the CPU does not report an invariant TSC")]
    [InlineData(null, true, true, "kvm-clock", "the kernel's clocksource is kvm-clock, not tsc")]
    [InlineData(null, true, true, null, "the kernel's clocksource is unknown, not tsc")]
    [InlineData(null, true, true, "tsc", null)]
    [InlineData("auto", true, true, "tsc", null)]
    public void WhyUnavailable_EachPrerequisite_DecidesAsDocumented(string? setting, bool linuxX64, bool invariant, string? clocksource, string? expected) =>
        CpuTimestampClock.WhyUnavailable(setting, linuxX64, invariant, clocksource).ShouldBe(expected);

    [Fact]
    public void IsAvailable_OnThisMachine_MatchesWhatTheKernelUses()
    {
        // Where the kernel itself times with the TSC (as on these CI machines), the guard must use it too.
        var kernelUsesTsc = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
                            && CpuTimestampClock.ReadClocksource() == "tsc"
                            && Environment.GetEnvironmentVariable(CpuTimestampClock.EnvironmentVariable) is null;
        if (kernelUsesTsc) CpuTimestampClock.IsAvailable.ShouldBeTrue(CpuTimestampClock.UnavailableBecause);
        if (!kernelUsesTsc && CpuTimestampClock.ReadClocksource() is { } source && source != "tsc") CpuTimestampClock.IsAvailable.ShouldBeFalse();
        (CpuTimestampClock.Instance is null).ShouldBe(!CpuTimestampClock.IsAvailable);
    }

    [Fact]
    public void Elapsed_OverASleep_AgreesWithStopwatch()
    {
        if (CpuTimestampClock.Instance is not { } clock) return; // the Stopwatch is in use; nothing to compare
        var swStart = Stopwatch.GetTimestamp();
        var start = clock.GetTimestamp();
        Thread.Sleep(200);
        var elapsed = clock.GetElapsedTime(start);
        var swElapsed = Stopwatch.GetElapsedTime(swStart);
        // The counter's interval lies inside the Stopwatch's; the sleep lasts at least 200 ms. 1 % covers calibration.
        elapsed.ShouldBeLessThanOrEqualTo(swElapsed * 1.01);
        elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(200) * 0.99);
    }

    [Fact]
    public async Task Guard_OnTheSystemClock_TimesHoldsWithTheCounterAndGetsThemRight()
    {
        using var guard = new GuardedDataSource(Npgsql.NpgsqlDataSource.Create(TestPostgres.For(2, 15, "lifeguard-clock")),
            new LifeguardOptions { PoolName = "clock" });
        if (CpuTimestampClock.IsAvailable) guard.Tracker.Time.ShouldBeSameAs(CpuTimestampClock.Instance);
        var ct = TestContext.Current.CancellationToken;
        await using (await guard.OpenConnectionAsync(ct))
        {
            await Task.Delay(300, ct);
        }
        var snapshot = guard.Snapshot();
        snapshot.Clock.ShouldStartWith(CpuTimestampClock.IsAvailable ? "tsc (" : "stopwatch (");
        var hold = snapshot.Hold;
        hold.Count.ShouldBe(1);
        hold.Max.ShouldBeGreaterThanOrEqualTo(0.29); // histogram upper bounds are capped by the true maximum
        hold.Max.ShouldBeLessThan(30);
    }
}
