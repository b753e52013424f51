using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Lifeguard.Benchmarks;

/// <summary>Turns on what an exporter costs: an OpenTelemetry MeterProvider aggregating the guard's meter, as the
/// website's /metrics does, with an exporter that drops what it is given.</summary>
internal static class MetricsExport
{
    public static IDisposable? StartIf(string[] args) =>
        args.Contains("--exported")
            ? Sdk.CreateMeterProviderBuilder().AddMeter(Telemetry.LifeguardInstruments.MeterName)
                .AddReader(new BaseExportingMetricReader(new DroppingExporter())).Build()
            : null;

    internal sealed class DroppingExporter : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
