using System.Reflection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pixerve.Gateway.Endpoints;

public sealed record HealthResponse(string Status, DateTimeOffset Timestamp, string Version, IReadOnlyDictionary<string, string> Checks);

public sealed record VersionResponse(string Version, string? Commit, string Framework, string Orleans);

public static class ServiceEndpoints
{
    public static string Version { get; } = InformationalVersion(typeof(ServiceEndpoints).Assembly).Split('+')[0];

    public static IEndpointRouteBuilder MapServiceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", async (HealthCheckService health) =>
        {
            var report = await health.CheckHealthAsync();
            var body = new HealthResponse(
                report.Status == HealthStatus.Healthy ? "healthy" : report.Status.ToString().ToLowerInvariant(),
                DateTimeOffset.UtcNow,
                Version,
                report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString().ToLowerInvariant()));
            return Results.Json(body, statusCode: report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        }).Produces<HealthResponse>().Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Whether staging storage and the cluster answer");

        app.MapGet("/version", () =>
        {
            var informational = InformationalVersion(typeof(ServiceEndpoints).Assembly);
            var plus = informational.IndexOf('+');
            return Results.Ok(new VersionResponse(
                Version,
                plus >= 0 ? informational[(plus + 1)..] : null,
                System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                InformationalVersion(typeof(IGrainFactory).Assembly).Split('+')[0]));
        }).Produces<VersionResponse>().WithSummary("Build information");
        return app;
    }

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
