using Lifeguard.Telemetry;

namespace OpenTelemetry.Metrics;

/// <summary>Adds Lifeguard's meter to the app's own OpenTelemetry pipeline.</summary>
public static class LifeguardMeterProviderBuilderExtensions
{
    /// <summary>Subscribes the pipeline to the "Lifeguard" meter (every guard's pool metrics, whatever its pool);
    /// the exporter (OTLP, Prometheus, console...) is the app's choice.</summary>
    public static MeterProviderBuilder AddLifeguardInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(LifeguardInstruments.MeterName);
    }
}
