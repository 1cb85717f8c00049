using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pixerve.Gateway.Health;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.OpenApi;

namespace Pixerve.Gateway.Apis;

/// <summary><c>GET /health</c> and <c>GET /version</c>, for load balancers and people.</summary>
public static class HealthApi
{
    public static string Version { get; } = InformationalVersion(typeof(HealthApi).Assembly).Split('+')[0];

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var service = app.MapGroup("").WithTags("Service");
        service.MapGet("/health", HealthAsync).WithName("getHealth")
            .Produces<HealthResponse>().Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable)
            // Anyone; the admin token (bearer or Basic) adds each check and each backend's circuit.
            .Accepting([], [SecuritySchemes.AdminToken], [SecuritySchemes.AdminBasic])
            .WithSummary("Overall status; with the admin token also each check and each storage backend's circuit");
        service.MapGet("/version", () =>
        {
            var informational = InformationalVersion(typeof(HealthApi).Assembly);
            var plus = informational.IndexOf('+');
            return TypedResults.Ok(new VersionResponse(
                Version,
                plus >= 0 ? informational[(plus + 1)..] : null,
                System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                InformationalVersion(typeof(IGrainFactory).Assembly).Split('+')[0]));
        }).WithName("getVersion").WithSummary("Build information");
        return app;
    }

    private static async Task<JsonHttpResult<HealthResponse>> HealthAsync(HealthCheckService health, IGrainFactory grains, HttpContext http)
    {
        var report = await health.CheckHealthAsync();
        var status = report.Status == HealthStatus.Healthy ? "healthy" : report.Status.ToString().ToLowerInvariant();
        // Backend keys and their last errors can carry endpoints and user names: the details are the admin's.
        var body = http.User.IsAdmin()
            ? new HealthResponse(status, DateTimeOffset.UtcNow, Version,
                report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString().ToLowerInvariant()),
                await StorageBackendsHealth.GetAsync(grains, http.RequestAborted))
            : new HealthResponse(status, DateTimeOffset.UtcNow);
        return TypedResults.Json(body, statusCode: report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
