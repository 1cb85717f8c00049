using OpenTelemetry.Metrics;
using Pixerve.ServiceDefaults;

namespace Pixerve.Silo.Metrics;

/// <summary>
/// A silo is no web host, so it serves its Prometheus scrape endpoint from an HttpListener of its own, at
/// <c>http://{Pixerve:Metrics:Host}:{Pixerve:Metrics:Port}/metrics</c>: the Pixerve meter (jobs, queue, conversion,
/// storage, webhooks) and Orleans' own. Off unless the port is set; the host defaults to localhost (<c>*</c> for
/// every interface). The probes (<see cref="SiloProbes"/>) share the port unless they have their own.
/// </summary>
public static class SiloMetrics
{
    public static IServiceCollection AddPixerveMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetValidated<MetricsOptions>(MetricsOptions.Section);
        if (options.Port <= 0) return services;
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(PixerveMetrics.MeterName, "Microsoft.Orleans")
            .AddPrometheusHttpListener(o =>
            {
                o.Port = options.Port;
                // The exporter's Host must parse as a URI host, which "*" does not: its listener's prefixes are set here.
                o.ConfigureHttpListener = (_, listener) =>
                {
                    listener.Prefixes.Clear();
                    foreach (var prefix in options.ListenerPrefixes("/")) listener.Prefixes.Add(prefix);
                };
            }));
        return services;
    }

    /// <summary>
    /// The probes (<see cref="SiloProbes"/>) on <c>Pixerve:Metrics:ProbePort</c>, else on the metrics port; off when
    /// neither is set (nothing to listen on).
    /// </summary>
    public static IServiceCollection AddPixerveProbes(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetValidated<MetricsOptions>(MetricsOptions.Section);
        if (options.EffectiveProbePort <= 0) return services;
        return services.AddHostedService(provider => ActivatorUtilities.CreateInstance<SiloProbes>(provider, options));
    }
}
