using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace Pixerve.Gateway.Jobs;

/// <summary>
/// The job's state changes as server-sent events (<c>event: pending|processing|…</c>, <c>data:</c> the status JSON),
/// ending after the final one. The gateway watches the grain's snapshot, so any gateway can serve any job; a state
/// that lasts less than the poll interval may be skipped, never reordered.
/// </summary>
public static class JobEventStream
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public static async IAsyncEnumerable<SseItem<StatusResponse>> Watch(
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
