using OpenTelemetry.Metrics;

namespace Pixerve.Silo;

/// <summary>
/// A silo is no web host, so it serves its Prometheus scrape endpoint from an HttpListener of its own, at
/// <c>http://{Pixerve:Metrics:Host}:{Pixerve:Metrics:Port}/metrics</c>: the Pixerve meter (jobs, queue, conversion,
/// storage, webhooks) and Orleans' own. Off unless the port is set; the host defaults to localhost (<c>*</c> for
/// every interface).
/// </summary>
public static class SiloMetrics
{
    public static IServiceCollection AddPixerveMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        var (port, host) = configuration.GetValidated<MetricsOptions>(MetricsOptions.Section) is var o ? (o.Port, o.Host) : default;
        if (port <= 0) return services;
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(PixerveMetrics.MeterName, "Microsoft.Orleans")
            .AddPrometheusHttpListener(o =>
            {
                o.Port = port;
                if (host is not ("*" or "+" or "localhost"))
                {
                    o.Host = host;
                    return;
                }

                // The exporter's Host must parse as a URI host; HttpListener's wildcard is set on the listener itself.
                // HttpListener matches the Host header, so "localhost" alone would answer 404 to http://127.0.0.1:…
                o.ConfigureHttpListener = (_, listener) =>
                {
                    listener.Prefixes.Clear();
                    if (host == "localhost")
                    {
                        listener.Prefixes.Add($"http://localhost:{port}/");
                        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                    }
                    else
                    {
                        listener.Prefixes.Add($"http://{host}:{port}/");
                    }
                };
            }));
        return services;
    }
}
