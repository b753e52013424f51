using System.Globalization;
using BenchmarkDotNet.Running;

namespace Lifeguard.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project bench/Lifeguard.Benchmarks -- --filter '*'   (see BENCHMARKS.md)
    // dotnet run -c Release --project bench/Lifeguard.Benchmarks -- paired [rounds] [batch]   (alternating raw/guarded batches)
    // dotnet run -c Release --project bench/Lifeguard.Benchmarks -- overhead [rounds] [batch]   (the guard alone, no database)
    // dotnet run -c Release --project bench/Lifeguard.Benchmarks -- diagnoser-cost CONNSTRING [seconds] [idle sessions]
    // dotnet run -c Release --project bench/Lifeguard.Benchmarks -- alone raw|guarded [rounds] [batch]   (one variant per process)
    // dotnet run -c Release --project bench/Lifeguard.Benchmarks -- count raw|guarded|guarded-no-operations warmup leases   (fixed work for callgrind)
    // Add --exported to paired or overhead to have an OpenTelemetry MeterProvider aggregate the guard's metrics.
    private static int Main(string[] args)
    {
        using var export = MetricsExport.StartIf(args);
        args = args.Where(a => a != "--exported").ToArray();
        if (args.Length > 0 && args[0] == "diagnoser-cost")
        {
            if (args.Length < 2 || !TryCount(args, 2, 60, out var seconds) || !int.TryParse(args.ElementAtOrDefault(3) ?? "0", NumberStyles.None, CultureInfo.InvariantCulture, out var idle))
            {
                Console.Error.WriteLine("usage: diagnoser-cost CONNSTRING [seconds] [idle sessions]");
                return 2;
            }
            DiagnoserCostRun.RunAsync(args[1], seconds, idle).GetAwaiter().GetResult();
            return 0;
        }
        if (args.Length > 0 && args[0] is "paired" or "overhead")
        {
            if (!TryCount(args, 1, args[0] == "paired" ? 200 : 500, out var rounds) || !TryCount(args, 2, 20_000, out var batch) || args.Length > 3)
            {
                Console.Error.WriteLine($"usage: {args[0]} [rounds] [batch] [--exported]   (positive whole numbers)");
                return 2;
            }
            if (args[0] == "paired") PairedLeaseRun.Run(rounds, batch);
            else GuardOverheadRun.Run(rounds, batch);
            return 0;
        }
        if (args.Length > 0 && args[0] == "alone")
        {
            if (args.Length < 2 || !TryCount(args, 2, 1000, out var rounds) || !TryCount(args, 3, 500, out var batch))
            {
                Console.Error.WriteLine("usage: alone raw|guarded [rounds] [batch]   (one variant per process; see bench/paired-alone.sh)");
                return 2;
            }
            PairedLeaseRun.RunAlone(args[1], rounds, batch);
            return 0;
        }
        if (args.Length > 0 && args[0] == "count")
        {
            if (args.Length != 4 || !GuardOverheadRun.VariantNames.Contains(args[1]) || !TryCount(args, 2, 0, out var warmup) || !TryCount(args, 3, 0, out var leases))
            {
                Console.Error.WriteLine($"usage: count {string.Join("|", GuardOverheadRun.VariantNames)} warmup leases   (positive whole numbers)");
                return 2;
            }
            GuardOverheadRun.Count(args[1], warmup, leases);
            return 0;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static bool TryCount(string[] args, int index, int fallback, out int value)
    {
        value = fallback;
        return args.Length <= index || (int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0);
    }
}
