using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Pixerve.Gateway.Auth;

namespace Pixerve.Gateway.Endpoints;

public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        var jobs = app.MapGroup("").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapGet("/status", async (string? hash, [FromQuery(Name = "job_id")] string? jobId, ClaimsPrincipal caller, CallerJobs callerJobs) =>
        {
            // The admin token asking by hash alone sees every job of that hash.
            if (CallerJobs.IsAdmin(caller) && jobId is null && CallerJobs.BadQuery(hash, null) is null)
            {
                var all = await callerJobs.AllOfHashAsync(hash!);
                return all.Count == 0
                    ? CallerJobs.Unknown(hash, null)
                    : Results.Ok(new HashJobs(hash!, all.Select(j => StatusResponse.From(j.Snapshot)).ToList()));
            }

            var (job, problem) = await callerJobs.FindAsync(caller, hash, jobId);
            return problem ?? Results.Ok(StatusResponse.From(job!.Snapshot));
        }).Produces<StatusResponse>().Produces<HashJobs>()
            .WithSummary("A job's status (the admin token asking by hash alone gets every job of the hash)");

        jobs.MapDelete("/cancel", async (string? hash, [FromQuery(Name = "job_id")] string? jobId, ClaimsPrincipal caller, CallerJobs callerJobs) =>
        {
            var (found, problem) = await callerJobs.FindAsync(caller, hash, jobId);
            if (problem is not null) return problem;
            var job = found!.Grain;
            return await job.Cancel() switch
            {
                CancelOutcome.Cancelled => Results.Ok(StatusResponse.From((await job.GetSnapshot())!)),
                CancelOutcome.NotFound => CallerJobs.Unknown(hash, jobId),
                _ => Results.Problem(statusCode: StatusCodes.Status409Conflict,
                    detail: $"job {found.Snapshot.JobId} is {(await job.GetSnapshot())!.Status.ToWire()}: only a pending job can be cancelled"),
            };
        }).Produces<StatusResponse>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Cancel a pending job");

        jobs.MapGet("/success", async (string? hash, [FromQuery(Name = "job_id")] string? jobId, ClaimsPrincipal caller, CallerJobs callerJobs) =>
        {
            var (found, problem) = await callerJobs.FindAsync(caller, hash, jobId);
            if (problem is not null) return problem;
            var job = found!.Snapshot;
            return Results.Ok(job.Status == JobStatus.Completed
                ? new SuccessRecord(job.Hash, job.JobId, "success", job.FinishedAt!.Value, job.Files.Count, JobData.From(job))
                : new RecordStatus(job.Hash, job.JobId, "not_found"));
        }).Produces<SuccessRecord>().Produces<RecordStatus>().WithSummary("A job's success record");

        jobs.MapGet("/failures", async (string? hash, [FromQuery(Name = "job_id")] string? jobId, ClaimsPrincipal caller, CallerJobs callerJobs) =>
        {
            var (found, problem) = await callerJobs.FindAsync(caller, hash, jobId);
            if (problem is not null) return problem;
            var job = found!.Snapshot;
            return job.Status switch
            {
                JobStatus.Failed => Results.Ok(new FailureRecord(job.Hash, job.JobId, "failed", job.FinishedAt!.Value, job.Error ?? "", JobData.From(job))),
                JobStatus.Completed => Results.Ok(new RecordStatus(job.Hash, job.JobId, "success")),
                _ => Results.Ok(new RecordStatus(job.Hash, job.JobId, "not_found")),
            };
        }).Produces<FailureRecord>().Produces<RecordStatus>().WithSummary("A job's failure record");

        var admin = app.MapGroup("").RequireAdmin(configuration)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapGet("/success/list", (int? limit, string? cursor, RecordLists lists) => lists.PageAsync(IndexKind.Success, limit, cursor))
            .Produces<RecordPage>().WithSummary("Succeeded jobs, newest first");
        admin.MapGet("/failures/list", (int? limit, string? cursor, RecordLists lists) => lists.PageAsync(IndexKind.Failure, limit, cursor))
            .Produces<RecordPage>().WithSummary("Failed jobs, newest first");
        return app;
    }
}
