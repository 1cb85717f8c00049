using OpenTelemetry.Metrics;

namespace Pixerve.Gateway.Metrics;

/// <summary>
/// The gateway's Prometheus scrape endpoint, <c>GET /metrics</c>: the Pixerve meter (upload answers), ASP.NET
/// Core's request and Kestrel meters and the Orleans client's. Both the scrape endpoint and the upload counter sit
/// in a startup filter, ahead of the app's own pipeline, so they see every answer (rate limits and errors too).
/// </summary>
public static class GatewayMetrics
{
    public const string ScrapePath = "/metrics";

    public static IServiceCollection AddPixerveMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(PixerveMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.Orleans")
            .AddPrometheusExporter());
        services.AddTransient<IStartupFilter, MetricsStartupFilter>();
        return services;
    }

    private sealed class MetricsStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(ScrapePath);
            app.Use(CountUploadsAsync);
            next(app);
        };
    }

    private static async Task CountUploadsAsync(HttpContext context, RequestDelegate next)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Path.Equals("/upload", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        try
        {
            await next(context);
        }
        catch
        {
            Record(StatusCodes.Status500InternalServerError);
            throw;
        }

        Record(context.Response.StatusCode);
    }

    private static void Record(int status) => PixerveMetrics.Uploads.Add(1,
        new KeyValuePair<string, object?>("status", status),
        new KeyValuePair<string, object?>("outcome", status == StatusCodes.Status200OK ? "accepted" : "refused"));
}
