using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Pixerve.ServiceDefaults;

/// <summary>
/// One upload is one trace, from the HTTP request to the last stored file: ASP.NET Core and HttpClient spans,
/// Orleans' grain-call spans (activity propagation is on in silos and clients) and Pixerve's own (stage, submit,
/// convert, encode, store, webhook). A job carries its upload's trace context through the queue, so the
/// conversion that runs later, on any silo, continues the same trace. Exported over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (an Aspire AppHost sets it), and then so are metrics and logs
/// (<see cref="PixerveOtlpExport"/>).
/// </summary>
public static class PixerveTracing
{
    public const string SourceName = "Pixerve";

    public static readonly ActivitySource Source = new(SourceName, typeof(PixerveTracing).Assembly.GetName().Version?.ToString());

    public static IServiceCollection AddPixerveTracing(this IServiceCollection services, IConfiguration configuration, bool web)
    {
        services.AddOpenTelemetry().WithTracing(tracing =>
        {
            tracing.AddSource(SourceName, "Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime").AddHttpClientInstrumentation();
            if (web) tracing.AddAspNetCoreInstrumentation();
            if (PixerveOtlpExport.Configured(configuration)) tracing.AddOtlpExporter();
        });
        if (PixerveOtlpExport.Configured(configuration)) services.AddPixerveOtlpMetricsAndLogs(web);
        return services;
    }

    /// <summary>The W3C <c>traceparent</c> of the current span, to carry a trace across a queue.</summary>
    public static string? CurrentTraceParent() => Activity.Current?.Id;

    /// <summary>Starts a span whose parent is a carried <c>traceparent</c> (none when it is missing or malformed).</summary>
    public static Activity? StartLinked(string name, string? traceParent) =>
        ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, ActivityKind.Internal, parent)
            : Source.StartActivity(name);
}
