using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Pixerve.Gateway.Cluster;
using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Gateway.Jobs;

/// <summary>
/// The job's state changes as server-sent events (<c>event: pending|processing|…</c>, <c>data:</c> the status JSON),
/// ending after the final one. The gateway subscribes to the job's grain (<see cref="IJobGrain.Watch"/>), so any
/// gateway can serve any job and a change reaches the stream when the job writes it. Every
/// <see cref="GatewayClientOptions.EventStreamRecheck"/> the subscription is renewed (it expires, and goes with the
/// grain's activation), which re-reads the job too: a lost notification delays an event, never loses the final one.
/// A state that lasts less than a notification's trip may be skipped, never reordered.
/// </summary>
public sealed class JobEventStream(IGrainFactory grains, IOptions<GatewayClientOptions> options, ILogger<JobEventStream> logger)
{
    /// <param name="withDetail"><see cref="JobErrorView.SeesDetail"/> of the caller: whether events carry the error's detail.</param>
    public async IAsyncEnumerable<SseItem<StatusResponse>> Watch(
        IJobGrain job, JobSnapshot snapshot, bool withDetail, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var watcher = new JobWatcher();
        var reference = grains.CreateObjectReference<IJobObserver>(watcher);
        try
        {
            var last = await job.Watch(reference) ?? snapshot;
            yield return Event(last, withDetail);
            while (!last.Status.IsFinal())
            {
                var next = await NextAsync(job, watcher, reference, cancellationToken);
                // Notifications are one-way: one may overtake another, and a renewal may answer an older state.
                if (next.UpdatedAt < last.UpdatedAt) continue;
                var changed = (next.Status, next.Attempts) != (last.Status, last.Attempts);
                last = next;
                if (changed) yield return Event(last, withDetail);
            }
        }
        finally
        {
            await UnwatchAsync(job, reference);
        }
    }

    /// <summary>The next notification, or, when none came within the recheck interval, the job as it stands (renewing).</summary>
    private async Task<JobSnapshot> NextAsync(IJobGrain job, JobWatcher watcher, IJobObserver reference, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var recheck = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            recheck.CancelAfter(options.Value.EventStreamRecheck);
            try
            {
                return await watcher.Changes.ReadAsync(recheck.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            try
            {
                if (await job.Watch(reference) is { } current) return current;
            }
            catch (Exception e) when (ClusterCalls.IsUnavailable(e))
            {
                // The cluster is between silos: keep the stream open and ask again at the next recheck.
                logger.LogDebug("Renewing an event stream's subscription failed: {Error}", e.Message);
            }
        }
    }

    private async Task UnwatchAsync(IJobGrain job, IJobObserver reference)
    {
        try
        {
            await job.Unwatch(reference);
        }
        catch (Exception e) when (ClusterCalls.IsUnavailable(e))
        {
            // The subscription expires on its own.
        }
        finally
        {
            grains.DeleteObjectReference<IJobObserver>(reference);
        }
    }

    private static SseItem<StatusResponse> Event(JobSnapshot snapshot, bool withDetail) =>
        new(StatusResponse.From(snapshot, withDetail), snapshot.Status.ToWire());
}
