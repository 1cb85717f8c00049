using OpenTelemetry.Metrics;
using Pixerve.ServiceDefaults;

namespace Pixerve.Gateway.Metrics;

/// <summary>
/// The gateway's Prometheus scrape endpoint, <c>GET /metrics</c>: the Pixerve meter (upload answers), ASP.NET
/// Core's request and Kestrel meters and the Orleans client's. Both the scrape endpoint and the upload counter sit
/// in a startup filter, ahead of the app's own pipeline, so they see every answer (rate limits and errors too). Ahead
/// of both, requests for a path that has a port of its own (<see cref="GatewayPortsOptions"/>) arriving on another
/// port, and requests on such a port for anything else, are answered 404.
/// </summary>
public static class GatewayMetrics
{
    public const string ScrapePath = "/metrics";

    public static IServiceCollection AddPixerveMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPixerveOptions<GatewayPortsOptions>(configuration, GatewayPortsOptions.Section);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(PixerveMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.Orleans")
            .AddPrometheusExporter());
        services.AddTransient<IStartupFilter, MetricsStartupFilter>();
        return services;
    }

    private sealed class MetricsStartupFilter(Microsoft.Extensions.Options.IOptions<GatewayPortsOptions> ports) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var settings = ports.Value;
            if (settings.MetricsPort > 0 || settings.ProbePort > 0)
            {
                app.Use((context, nextMiddleware) =>
                {
                    if (settings.Serves(context.Connection.LocalPort, context.Request.Path)) return nextMiddleware(context);
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                });
            }

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
