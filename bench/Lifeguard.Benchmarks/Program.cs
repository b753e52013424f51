using BenchmarkDotNet.Running;

namespace Lifeguard.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project bench/Lifeguard.Benchmarks -- --filter '*'   (see BENCHMARKS.md)
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
