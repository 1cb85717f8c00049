using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pixerve.Imaging;

/// <summary>
/// The imaging library's spans and histogram. They keep Pixerve's one source and meter name, "Pixerve", which the
/// silo's and gateway's telemetry subscribe to by name: the encode spans stay children of the conversion's span
/// and the histogram is exported beside the other Pixerve instruments, without this library referencing the hosts'.
/// </summary>
public static class ImagingTelemetry
{
    /// <summary>The name of Pixerve's ActivitySource and Meter (ServiceDefaults' PixerveTracing and PixerveMetrics share it).</summary>
    public const string Name = "Pixerve";

    public static readonly ActivitySource Source = new(Name, typeof(ImagingTelemetry).Assembly.GetName().Version?.ToString());

    private static readonly Meter Meter = new(Name, typeof(ImagingTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Silo: encoding one output (after the shared decode and resize), tagged <c>format</c>.</summary>
    public static readonly Histogram<double> ConversionDuration = Meter.CreateHistogram<double>(
        "pixerve.conversion.duration", "s", "Time to encode one output, by output format");
}
