using Pixerve.Gateway.Auth;

namespace Pixerve.Gateway.Endpoints;

public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        var jobs = app.MapGroup("").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        jobs.MapGet("/status", async (string? hash, IGrainFactory grains) =>
        {
            if (BadHash(hash) is { } bad) return bad;
            var job = await grains.GetGrain<IJobGrain>(hash!).GetSnapshot();
            return job is null ? Unknown(hash!) : Results.Ok(StatusResponse.From(job));
        }).Produces<StatusResponse>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("A job's status");

        jobs.MapDelete("/cancel", async (string? hash, IGrainFactory grains) =>
        {
            if (BadHash(hash) is { } bad) return bad;
            var job = grains.GetGrain<IJobGrain>(hash!);
            return await job.Cancel() switch
            {
                CancelOutcome.Cancelled => Results.Ok(StatusResponse.From((await job.GetSnapshot())!)),
                CancelOutcome.NotFound => Unknown(hash!),
                _ => Results.Problem(statusCode: StatusCodes.Status409Conflict,
                    detail: $"job {hash} is {(await job.GetSnapshot())!.Status.ToWire()}: only a pending job can be cancelled"),
            };
        }).Produces<StatusResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Cancel a pending job");

        jobs.MapGet("/success", async (string? hash, IGrainFactory grains) =>
        {
            if (BadHash(hash) is { } bad) return bad;
            var job = await grains.GetGrain<IJobGrain>(hash!).GetSnapshot();
            return Results.Ok(job is { Status: JobStatus.Completed }
                ? new SuccessRecord(hash!, "success", job.FinishedAt!.Value, job.Files.Count, JobData.From(job))
                : new RecordStatus(hash!, "not_found"));
        }).Produces<SuccessRecord>().Produces<RecordStatus>().WithSummary("A job's success record");

        jobs.MapGet("/failures", async (string? hash, IGrainFactory grains) =>
        {
            if (BadHash(hash) is { } bad) return bad;
            var job = await grains.GetGrain<IJobGrain>(hash!).GetSnapshot();
            return job?.Status switch
            {
                JobStatus.Failed => Results.Ok(new FailureRecord(hash!, "failed", job.FinishedAt!.Value, job.Error ?? "", JobData.From(job))),
                JobStatus.Completed => Results.Ok(new RecordStatus(hash!, "success")),
                _ => Results.Ok(new RecordStatus(hash!, "not_found")),
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

    public static bool IsHash(string? value) =>
        value is { Length: 64 } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static IResult? BadHash(string? hash) => IsHash(hash)
        ? null
        : Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "hash must be 64 lowercase hex characters (SHA-256)");

    private static IResult Unknown(string hash) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"no job has hash {hash}");
}
