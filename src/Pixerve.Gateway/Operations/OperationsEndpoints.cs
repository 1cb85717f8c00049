using Orleans.Dashboard;
using Pixerve.Gateway.Auth;

namespace Pixerve.Gateway.Operations;

public sealed record SiloStatsItem(string Silo, int Queued, int Running, DateTimeOffset UpdatedAt);

/// <summary>The body of <c>GET /admin/stats</c>: each live silo's queue, and the cluster's totals.</summary>
public sealed record ClusterStatsResponse(IReadOnlyList<SiloStatsItem> Silos, int Queued, int Running);

/// <summary>For operators: the Orleans Dashboard at <c>/dashboard</c>, the jobs page at <c>/admin</c> and <c>GET /admin/stats</c>.</summary>
public static class OperationsEndpoints
{
    private const string PageResource = "Pixerve.Gateway.Operations.admin.html";

    public static IServiceCollection AddPixerveOperations(this IServiceCollection services, IConfiguration configuration)
    {
        // The dashboard's client side (its API talks to the dashboard grains of the silos), whether this
        // gateway built its own Orleans client or was handed one.
        new ServicesClientBuilder(services, configuration).AddDashboard(o => o.HideTrace = true);
        services.AddAuthentication().AddScheme<AdminTokenOptions, AdminBasicHandler>(AdminBasicHandler.SchemeName,
            o => o.Token = configuration.AdminToken());
        return services;
    }

    public static IEndpointRouteBuilder MapPixerveOperations(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        app.MapOrleansDashboard("/dashboard").RequireAdmin(configuration).ExcludeFromDescription();

        var page = ReadPage();
        app.MapGet("/admin", (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers.ContentSecurityPolicy =
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'";
            return Results.Content(page, "text/html; charset=utf-8");
        }).RequireAdmin(configuration).ExcludeFromDescription();

        app.MapGet("/admin/stats", async (IGrainFactory grains) =>
        {
            var silos = await grains.GetGrain<IClusterStatsGrain>(0).Silos();
            var items = silos.Select(s => new SiloStatsItem(s.Silo, s.Queued, s.Running, s.UpdatedAt)).ToList();
            return Results.Ok(new ClusterStatsResponse(items, items.Sum(s => s.Queued), items.Sum(s => s.Running)));
        }).RequireAdmin(configuration)
            .Produces<ClusterStatsResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Queue depth and running conversions of every live silo, and their totals");
        return app;
    }

    private static string ReadPage()
    {
        using var stream = typeof(OperationsEndpoints).Assembly.GetManifestResourceStream(PageResource)
            ?? throw new InvalidOperationException($"{PageResource} is not embedded in the gateway");
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>Lets client-side registrations run against any service collection.</summary>
    private sealed class ServicesClientBuilder(IServiceCollection services, IConfiguration configuration) : IClientBuilder
    {
        public IServiceCollection Services => services;
        public IConfiguration Configuration => configuration;
    }
}
