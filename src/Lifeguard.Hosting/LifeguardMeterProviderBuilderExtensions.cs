using System.Diagnostics.Metrics;
using Lifeguard.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace OpenTelemetry.Metrics;

/// <summary>Adds Lifeguard's meter to the app's own OpenTelemetry pipeline.</summary>
public static class LifeguardMeterProviderBuilderExtensions
{
    /// <summary>Subscribes the pipeline to the "Lifeguard" meter (every guard's pool metrics, whatever its pool) of this
    /// app's services; the exporter (OTLP, Prometheus, console...) is the app's choice.</summary>
    public static MeterProviderBuilder AddLifeguardInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddMeter(LifeguardInstruments.MeterName);
        // OpenTelemetry subscribes by meter name alone, and every host's guards use the name "Lifeguard": with two hosts
        // in one process (a test suite, an app hosting two services) each pipeline would also take the other's
        // instruments, merge their values into one series and lose that series when the other host stops its meter.
        // A meter made by another host's IMeterFactory is that host's; one made without a factory cannot be told apart.
        // (A builder made without services, Sdk.CreateMeterProviderBuilder(), is not deferred: it has no host to tell.)
        if (builder is IDeferredMeterProviderBuilder deferred)
        {
            deferred.Configure((services, b) =>
            {
                var own = services.GetService<IMeterFactory>();
                b.AddView(instrument => IsAnotherHosts(instrument.Meter, own) ? MetricStreamConfiguration.Drop : null);
            });
        }

        return builder;
    }

    private static bool IsAnotherHosts(Meter meter, IMeterFactory? own) =>
        meter.Name == LifeguardInstruments.MeterName && meter.Scope is IMeterFactory scope && !ReferenceEquals(scope, own);
}
