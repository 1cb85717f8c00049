using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Auth;
using Pixerve.Gateway.OpenApi;
using Pixerve.Gateway.Jobs;
using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Gateway.Apis;

/// <summary>
/// A job token's own jobs (the admin token's, every job): <c>/status</c>, <c>/cancel</c>, <c>/success</c>,
/// <c>/failures</c> and <c>/events</c>, each by <c>hash</c> (what the upload answers first) or <c>job_id</c>.
/// </summary>
public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("").WithTags("Jobs").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithTokenHint(TokenErrors.MissingForJobs);
        AdminAudit.AuditJobReads(jobs);
        jobs.MapGet("/status", StatusAsync).WithName("getStatus")
            .OkIsOneOf(exclusive: true, components: true, typeof(StatusResponse), typeof(HashJobs))
            .WithDescription("A job token (or the admin token with job_id) gets the job's StatusResponse; the admin token asking by hash " +
                "alone gets HashJobs, every job of that hash. The two are told apart by their required properties ('jobs').")
            .WithSummary("A job's status (the admin token asking by hash alone gets every job of the hash)");
        jobs.MapDelete("/cancel", CancelAsync).WithName("cancelJob").ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Cancel a pending job");
        jobs.MapPost("/retry", RetryAsync).WithName("retryJob").ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Run a failed job again from its kept original (the dead-letter queue's retry)");
        jobs.MapGet("/success", SuccessAsync).WithName("getSuccess")
            .OkIsOneOf(exclusive: false, components: false, typeof(SuccessRecord), typeof(RecordStatus))
            .WithDescription("A completed job: its success record (status 'success', timestamp, file_count, job_data); " +
                "any other: {hash, job_id, status: 'not_found'}.")
            .WithSummary("A job's success record");
        jobs.MapGet("/failures", FailureAsync).WithName("getFailure")
            .OkIsOneOf(exclusive: false, components: false, typeof(FailureRecord), typeof(RecordStatus))
            .WithDescription("A failed job: its failure record (status 'failed', timestamp, error, …); a completed one " +
                "{hash, job_id, status: 'success'}; any other {hash, job_id, status: 'not_found'}.")
            .WithSummary("A job's failure record");
        jobs.MapGet("/events", EventsAsync).WithName("streamEvents")
            .Produces(StatusCodes.Status200OK, typeof(StatusResponse), "text/event-stream")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Stream a job's state changes as server-sent events");
        return app;
    }

    private static async Task<Results<Ok<StatusResponse>, Ok<HashJobs>, ProblemHttpResult>> StatusAsync(
        string? hash, [FromQuery(Name = "job_id")] string? jobId, ClaimsPrincipal caller, CallerJobs callerJobs)
    {
        // The admin token asking by hash alone sees every job of that hash.
        if (caller.IsAdmin() && jobId is null && CallerJobs.BadQuery(hash, null) is null)
        {
            var all = await callerJobs.AllOfHashAsync(hash!);
            if (all.Count == 0) return CallerJobs.Unknown(hash, null);
            return TypedResults.Ok(new HashJobs(hash!, all.Select(j => StatusResponse.From(j.Snapshot, JobErrorView.SeesDetail(caller))).ToList()));
        }

        var (job, problem) = await callerJobs.FindAsync(caller, hash, jobId);
        return problem is not null ? problem : TypedResults.Ok(StatusResponse.From(job!.Snapshot, JobErrorView.SeesDetail(caller)));
    }

    private static async Task<Results<Ok<StatusResponse>, ProblemHttpResult>> CancelAsync(
        string? hash, [FromQuery(Name = "job_id")] string? jobId, ClaimsPrincipal caller, CallerJobs callerJobs)
    {
        var (found, problem) = await callerJobs.FindAsync(caller, hash, jobId);
        if (problem is not null) return problem;
        var job = found!.Grain;
        return await job.Cancel() switch
        {
            CancelOutcome.Cancelled => TypedResults.Ok(StatusResponse.From((await job.GetSnapshot())!, JobErrorView.SeesDetail(caller))),
            CancelOutcome.NotFound => CallerJobs.Unknown(hash, jobId),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                detail: $"job {found.Snapshot.JobId} is {(await job.GetSnapshot())!.Status.ToWire()}: only a pending job can be cancelled"),
        };
    }

    /// <summary>Also the job view's retry (<see cref="AdminApi"/>), so both answer alike.</summary>
    internal static async Task<Results<Ok<StatusResponse>, ProblemHttpResult>> RetryAsync(
        string? hash, [FromQuery(Name = "job_id")] string? jobId, ClaimsPrincipal caller, CallerJobs callerJobs)
    {
        var (found, problem) = await callerJobs.FindAsync(caller, hash, jobId);
        if (problem is not null) return problem;
        var job = found!.Grain;
        var id = found.Snapshot.JobId;
        return await job.Retry() switch
        {
            RetryOutcome.Queued => TypedResults.Ok(StatusResponse.From((await job.GetSnapshot())!, JobErrorView.SeesDetail(caller))),
            RetryOutcome.NotFound => CallerJobs.Unknown(hash, jobId),
            RetryOutcome.TooManyRetries => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                detail: $"job {id} was retried {found.Snapshot.Retries} times already, the most Pixerve:Jobs:MaxRetries allows: " +
                        "upload the file again under other settings, or ask the administrator"),
            RetryOutcome.OriginalGone => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                detail: $"job {id} can no longer be retried: its original is no longer kept (its retention ended)"),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                detail: $"job {id} is {(await job.GetSnapshot())!.Status.ToWire()}: only a failed job can be retried"),
        };
    }

    private static async Task<Results<Ok<SuccessRecord>, Ok<RecordStatus>, ProblemHttpResult>> SuccessAsync(
        string? hash, [FromQuery(Name = "job_id")] string? jobId, ClaimsPrincipal caller, CallerJobs callerJobs)
    {
        var (found, problem) = await callerJobs.FindAsync(caller, hash, jobId);
        if (problem is not null) return problem;
        var job = found!.Snapshot;
        return job.Status == JobStatus.Completed
            ? TypedResults.Ok(new SuccessRecord(job.Hash, job.JobId, "success", job.FinishedAt!.Value, job.Files.Count, JobData.From(job)))
            : TypedResults.Ok(new RecordStatus(job.Hash, job.JobId, "not_found"));
    }

    private static async Task<Results<Ok<FailureRecord>, Ok<RecordStatus>, ProblemHttpResult>> FailureAsync(
        string? hash, [FromQuery(Name = "job_id")] string? jobId, ClaimsPrincipal caller, CallerJobs callerJobs)
    {
        var (found, problem) = await callerJobs.FindAsync(caller, hash, jobId);
        if (problem is not null) return problem;
        var job = found!.Snapshot;
        return job.Status switch
        {
            JobStatus.Failed => TypedResults.Ok(FailureRecord.From(job, JobErrorView.SeesDetail(caller))),
            JobStatus.Completed => TypedResults.Ok(new RecordStatus(job.Hash, job.JobId, "success")),
            _ => TypedResults.Ok(new RecordStatus(job.Hash, job.JobId, "not_found")),
        };
    }

    private static async Task<IResult> EventsAsync(string? hash, [FromQuery(Name = "job_id")] string? jobId, HttpContext http,
        CallerJobs callerJobs, EventStreamSlots slots, JobEventStream events, CancellationToken cancellationToken)
    {
        var (job, problem) = await callerJobs.FindAsync(http.User, hash, jobId);
        if (problem is not null) return problem;
        var (slot, refusal) = slots.TryTake(http);
        if (slot is null) return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, detail: refusal);
        // Held until the request ends, however it ends (the job final, the client gone).
        http.Response.RegisterForDispose(slot);
        return TypedResults.ServerSentEvents(events.Watch(job!.Grain, job.Snapshot, JobErrorView.SeesDetail(http.User), cancellationToken));
    }
}
