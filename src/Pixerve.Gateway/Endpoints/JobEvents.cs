using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;

namespace Pixerve.Gateway.Endpoints;

/// <summary>
/// <c>GET /events?hash=</c>: the job's state changes as server-sent events (<c>event: pending|processing|…</c>,
/// <c>data:</c> the status JSON), ending after the final one. The gateway watches the grain's snapshot, so any
/// gateway can serve any job; a state that lasts less than the poll interval may be skipped, never reordered.
/// </summary>
public static class JobEvents
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public static IEndpointRouteBuilder MapJobEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/events", async (string? hash, [FromQuery(Name = "job_id")] string? jobId, ClaimsPrincipal caller,
            CallerJobs callerJobs, CancellationToken cancellationToken) =>
        {
            var (job, problem) = await callerJobs.FindAsync(caller, hash, jobId);
            return problem ?? TypedResults.ServerSentEvents(Watch(job!.Grain, job.Snapshot, cancellationToken));
        })
            .RequireAuthorization()
            .Produces(StatusCodes.Status200OK, typeof(StatusResponse), "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Stream a job's state changes as server-sent events");
        return app;
    }

    private static async IAsyncEnumerable<SseItem<StatusResponse>> Watch(
        IJobGrain job, JobSnapshot snapshot, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        (JobStatus, int) last = (snapshot.Status, snapshot.Attempts);
        yield return Event(snapshot);
        while (!snapshot.Status.IsFinal() && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(PollInterval, cancellationToken);
            snapshot = await job.GetSnapshot() ?? snapshot;
            if ((snapshot.Status, snapshot.Attempts) == last) continue;
            last = (snapshot.Status, snapshot.Attempts);
            yield return Event(snapshot);
        }
    }

    private static SseItem<StatusResponse> Event(JobSnapshot snapshot) =>
        new(StatusResponse.From(snapshot), snapshot.Status.ToWire());
}
