using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Dashboard;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Jobs;
using Pixerve.GrainInterfaces.Operations;
using Pixerve.GrainInterfaces.Records;

namespace Pixerve.Gateway.Apis;

/// <summary>
/// For operators, all behind the admin policy: the record lists, <c>GET /admin/stats</c>, the jobs page at
/// <c>/admin</c>, the Orleans Dashboard at <c>/dashboard</c> and the storage credentials (<see cref="CredentialsApi"/>).
/// </summary>
public static class AdminApi
{
    private const string PageResource = "Pixerve.Gateway.Admin.admin.html";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("").WithTags("Admin").RequireAdmin()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapGet("/success/list", (int? limit, string? cursor, RecordLists lists) => lists.PageAsync(IndexKind.Success, limit, cursor))
            .ProducesProblem(StatusCodes.Status400BadRequest).WithSummary("Succeeded jobs, newest first");
        admin.MapGet("/failures/list", (int? limit, string? cursor, RecordLists lists) => lists.PageAsync(IndexKind.Failure, limit, cursor))
            .ProducesProblem(StatusCodes.Status400BadRequest).WithSummary("Failed jobs, newest first");
        admin.MapGet("/admin/stats", StatsAsync)
            .WithSummary("Queue depth and running conversions of every live silo, and their totals");

        var page = ReadPage();
        admin.MapGet("/admin", (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers.ContentSecurityPolicy =
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'";
            return TypedResults.Content(page, "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        app.MapOrleansDashboard("/dashboard").RequireAdmin().ExcludeFromDescription();
        app.MapCredentialsApi();
        return app;
    }

    private static async Task<Ok<ClusterStatsResponse>> StatsAsync(IGrainFactory grains)
    {
        var silos = await grains.GetGrain<IClusterStatsGrain>(0).Silos();
        var items = silos.Select(s => new SiloStatsItem(s.Silo, s.Queued, s.Running, s.UpdatedAt)).ToList();
        return TypedResults.Ok(new ClusterStatsResponse(items, items.Sum(s => s.Queued), items.Sum(s => s.Running)));
    }

    private static string ReadPage()
    {
        using var stream = typeof(AdminApi).Assembly.GetManifestResourceStream(PageResource)
            ?? throw new InvalidOperationException($"{PageResource} is not embedded in the gateway");
        return new StreamReader(stream).ReadToEnd();
    }
}
