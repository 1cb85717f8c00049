using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pixerve.Gateway.Apis;

/// <summary>
/// Orchestrator probes, apart from <c>/health</c>: <c>/health/live</c> answers while the process serves HTTP (restart
/// it when not); <c>/health/ready</c> only while staging storage answers and the cluster client reaches a silo (send
/// it no traffic when not). Plain <c>Healthy</c>/<c>Unhealthy</c> text, nothing about the backends. With
/// <c>Pixerve:Gateway:ProbePort</c> they answer on that port only (<see cref="Metrics.GatewayPortsOptions"/>).
/// </summary>
public static class ProbesApi
{
    public const string ReadyTag = "ready";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    public static IEndpointRouteBuilder MapProbesApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false })
            .WithTags("Service").WithSummary("Liveness: the process answers");
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).WithTags("Service").WithSummary("Readiness: staging storage and a silo answer");
        return app;
    }
}
