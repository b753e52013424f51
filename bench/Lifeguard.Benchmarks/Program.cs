using BenchmarkDotNet.Running;

namespace Lifeguard.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project bench/Lifeguard.Benchmarks -- --filter '*'   (see BENCHMARKS.md)
    // dotnet run -c Release --project bench/Lifeguard.Benchmarks -- paired [rounds] [batch]   (alternating raw/guarded batches)
    // dotnet run -c Release --project bench/Lifeguard.Benchmarks -- overhead [rounds] [batch]   (the guard alone, no database)
    // Add --exported to paired or overhead to have an OpenTelemetry MeterProvider aggregate the guard's metrics.
    private static void Main(string[] args)
    {
        using var export = MetricsExport.StartIf(args);
        args = args.Where(a => a != "--exported").ToArray();
        if (args.Length > 0 && args[0] == "paired")
        {
            PairedLeaseRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200,
                args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20_000);
            return;
        }
        if (args.Length > 0 && args[0] == "overhead")
        {
            GuardOverheadRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 500,
                args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20_000);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
