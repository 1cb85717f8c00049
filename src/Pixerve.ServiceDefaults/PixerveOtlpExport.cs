using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;

namespace Pixerve.ServiceDefaults;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set (an Aspire AppHost sets it, with the standard <c>OTEL_*</c> variables),
/// metrics and logs go over OTLP too, beside the traces (<see cref="PixerveTracing"/>): the Aspire dashboard then shows
/// every process's metrics and structured logs. Prometheus scraping and console logs stay as they are.
/// </summary>
public static class PixerveOtlpExport
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static bool Configured(IConfiguration configuration) => !string.IsNullOrEmpty(configuration[EndpointKey]);

    public static IServiceCollection AddPixerveOtlpMetricsAndLogs(this IServiceCollection services, bool web)
    {
        services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PixerveMetrics.MeterName, "Microsoft.Orleans", "System.Net.Http");
                if (web) metrics.AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel");
                metrics.AddOtlpExporter();
            })
            .WithLogging(logging => logging.AddOtlpExporter(), options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
            });
        return services;
    }
}
