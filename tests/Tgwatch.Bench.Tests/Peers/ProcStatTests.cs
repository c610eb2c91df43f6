using Tgwatch.Bench.Peers;

namespace Tgwatch.Bench.Tests.Peers;

public sealed class ProcStatTests
{
    [Fact]
    public void TheCpuTime_IsUserPlusSystemTicks_EvenWhenTheCommandNameHoldsSpacesAndBrackets()
    {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
        var stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 900 0 0 0 123 45 700 800 20 0 8 0 100 1000 500";

        Assert.Equal(TimeSpan.FromSeconds(1.68), ProcStat.Cpu(stat));
    }

    [Fact]
    public void TheCpuTimeOfThisProcess_IsReadFromProc_AndGrows()
    {
        var before = ProcStat.Cpu(File.ReadAllText("/proc/self/stat"));
        var end = DateTime.UtcNow.AddMilliseconds(100);
        var spin = 0L;
        while (DateTime.UtcNow < end) spin++;

        Assert.True(ProcStat.Cpu(File.ReadAllText("/proc/self/stat")) > before, $"{spin} spins");
    }

    [Fact]
    public void AMemoryFigure_IsReadInKilobytes() =>
        Assert.Equal(70312, ProcStat.Kilobytes(["Name:\tdotnet", "VmHWM:\t  104000 kB", "VmRSS:\t   70312 kB"], "VmRSS:"));

    [Fact]
    public void TheWakeUpsOfAThread_AreItsVoluntaryAndInvoluntaryContextSwitches()
    {
        string[] status = ["Name:\tdotnet", "voluntary_ctxt_switches:\t1200", "nonvoluntary_ctxt_switches:\t34"];

        Assert.Equal(1234, ProcStat.Number(status, "voluntary_ctxt_switches:") + ProcStat.Number(status, "nonvoluntary_ctxt_switches:"));
    }
}

public sealed class ContextSwitchTests
{
    [Fact]
    public void AThreadThatEndedBetweenTwoReadings_TakesItsCountWithIt_NotBelowZero()
    {
        // The .NET timer thread ended (1,000 switches), a worker woke 5 times, a new one 3 times.
        var before = new Dictionary<int, long> { [10] = 100, [11] = 1_000 };
        var after = new Dictionary<int, long> { [10] = 105, [12] = 3 };

        Assert.Equal(8, PeerProcess.SwitchesBetween(before, after));
    }
}
