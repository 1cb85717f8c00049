using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Dashboard;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Jobs;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.GrainInterfaces.Operations;
using Pixerve.GrainInterfaces.Records;

namespace Pixerve.Gateway.Apis;

/// <summary>
/// For operators, all behind the admin policy: the record lists, <c>GET /admin/stats</c>, the jobs page at
/// <c>/admin</c> and its job view at <c>/admin/jobs/{job_id}</c>, the Orleans Dashboard at <c>/dashboard</c> and the
/// storage credentials (<see cref="CredentialsApi"/>).
/// </summary>
public static partial class AdminApi
{
    private const string ResourcePrefix = "Pixerve.Gateway.Admin.";

    /// <summary>
    /// The pages' policy: their own inline script and style, fetches to this origin only, images from this origin
    /// (the outputs under <c>/files/</c>) and <c>data:</c> (the ThumbHash placeholder), and never inside another site's frame.
    /// </summary>
    private const string PagePolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        // 503: each of them asks the cluster, which may be unreachable (ClusterCalls.ExceptionHandler).
        var admin = app.MapGroup("").WithTags("Admin").RequireAdmin()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapGet("/success/list", (int? limit, string? cursor, RecordLists lists) => lists.PageAsync(IndexKind.Success, limit, cursor)).WithName("listSuccesses")
            .ProducesProblem(StatusCodes.Status400BadRequest).WithSummary("Succeeded jobs, newest first");
        admin.MapGet("/failures/list", (int? limit, string? cursor, RecordLists lists) => lists.PageAsync(IndexKind.Failure, limit, cursor)).WithName("listFailures")
            .ProducesProblem(StatusCodes.Status400BadRequest).WithSummary("Failed jobs, newest first");
        admin.MapGet("/admin/stats", StatsAsync).WithName("getClusterStats")
            .WithSummary("Queue depth and running conversions of every live silo, and their totals");

        var jobsPage = ReadPage("admin.html");
        admin.MapGet("/admin", (HttpContext http) => Page(http, jobsPage)).ExcludeFromDescription();
        // The job view reads its job itself (GET /admin/jobs/{jobId}/status), so a job that does not exist is the
        // page's to say; a malformed id is refused here.
        var jobPage = ReadPage("job.html");
        admin.MapGet("/admin/jobs/{jobId}", Results<ContentHttpResult, ProblemHttpResult> (string jobId, HttpContext http) =>
                JobIdentity.IsId(jobId)
                    ? Page(http, jobPage)
                    : TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "job_id must be 64 lowercase hex characters",
                        extensions: new Dictionary<string, object?> { ["field"] = "job_id" }))
            .ExcludeFromDescription();

        // The job view's data and its retry. GET /status?job_id= and POST /retry answer the admin alike, but they
        // challenge for a bearer token, and a browser sends Basic credentials unasked only below the directory it
        // was first challenged at (a view opened from a link: /admin/jobs/). These challenge for Basic, as every
        // admin endpoint does, so the browser answers with the credentials it holds.
        var job = admin.MapGroup("/admin/jobs/{jobId}").ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        AdminAudit.AuditJobReads(job);
        job.MapGet("/status", JobStatusAsync).WithName("getAdminJobStatus").WithSummary("A job's status by its id, as GET /status?job_id= answers the admin (the job view)");
        job.MapPost("/retry", (string jobId, ClaimsPrincipal caller, CallerJobs callerJobs) => JobsApi.RetryAsync(null, jobId, caller, callerJobs)).WithName("retryAdminJob")
            .ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Run a failed job again, as POST /retry?job_id= (the job view's Retry)");
        app.MapOrleansDashboard("/dashboard").RequireAdmin().ExcludeFromDescription();
        app.MapCredentialsApi();
        return app;
    }

    private static async Task<Results<Ok<StatusResponse>, ProblemHttpResult>> JobStatusAsync(string jobId, ClaimsPrincipal caller,
        CallerJobs callerJobs)
    {
        var (job, problem) = await callerJobs.FindAsync(caller, null, jobId);
        return problem is not null ? problem : TypedResults.Ok(StatusResponse.From(job!.Snapshot, JobErrorView.SeesDetail(caller)));
    }

    private static async Task<Ok<ClusterStatsResponse>> StatsAsync(IGrainFactory grains)
    {
        var silos = await grains.GetGrain<IClusterStatsGrain>(0).Silos();
        var items = silos.Select(s => new SiloStatsItem(s.Silo, s.Queued, s.Running, s.UpdatedAt)).ToList();
        return TypedResults.Ok(new ClusterStatsResponse(items, items.Sum(s => s.Queued), items.Sum(s => s.Running)));
    }

    private static ContentHttpResult Page(HttpContext http, string page)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.ContentSecurityPolicy = PagePolicy;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.Content(page, "text/html; charset=utf-8");
    }

    /// <summary>A page with each <c>/* include: NAME */</c> replaced by that embedded file (the shared style and script, the ThumbHash decoder).</summary>
    private static string ReadPage(string name) =>
        IncludePattern().Replace(ReadResource(name), include => ReadResource(include.Groups[1].Value));

    private static string ReadResource(string name)
    {
        using var stream = typeof(AdminApi).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"{ResourcePrefix}{name} is not embedded in the gateway");
        return new StreamReader(stream).ReadToEnd();
    }

    [GeneratedRegex(@"/\* include: ([A-Za-z0-9.-]+) \*/")]
    private static partial Regex IncludePattern();
}
