using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Pixerve.Gateway.Cluster;
using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Gateway.Jobs;

/// <summary>
/// The job's state changes as server-sent events (<c>event: pending|processing|…</c>, <c>data:</c> the status JSON),
/// ending after the final one, and while it converts its progress: <c>event: source</c> once the source is described,
/// then <c>event: output_done</c> for each output in plan order. The gateway subscribes to the job's grain
/// (<see cref="IJobGrain.Watch"/>), so any gateway can serve any job and a change reaches the stream when the job makes
/// it. Every <see cref="GatewayClientOptions.EventStreamRecheck"/> the subscription is renewed (it expires, and goes
/// with the grain's activation), which re-reads the job too: a lost notification delays an event, never loses the
/// final one. A state that lasts less than a notification's trip may be skipped, never reordered; progress is never
/// skipped: a stream sends every output made before it opened, then each new one, and the final state last.
/// </summary>
public sealed class JobEventStream(IGrainFactory grains, IOptions<GatewayClientOptions> options, ILogger<JobEventStream> logger)
{
    /// <param name="withDetail"><see cref="JobErrorView.SeesDetail"/> of the caller: whether events carry the error's detail.</param>
    public async IAsyncEnumerable<SseItem<object>> Watch(
        IJobGrain job, JobSnapshot snapshot, bool withDetail, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var watcher = new JobWatcher();
        var reference = grains.CreateObjectReference<IJobObserver>(watcher);
        try
        {
            var sent = new SentProgress();
            JobSnapshot? last = null;
            var next = await job.Watch(reference) ?? snapshot;
            while (true)
            {
                // Notifications are one-way: one may overtake another, and a renewal may answer an older state.
                if (last is null || next.UpdatedAt >= last.UpdatedAt)
                {
                    var changed = last is null || (next.Status, next.Attempts) != (last.Status, last.Attempts);
                    last = next;
                    var final = last.Status.IsFinal();
                    // A state comes before the progress it brings; the final state after the last output.
                    if (changed && !final) yield return Event(last, withDetail);
                    foreach (var item in await ProgressAsync(job, last, sent)) yield return item;
                    if (final)
                    {
                        yield return Event(last, withDetail);
                        yield break;
                    }
                }

                next = await NextAsync(job, watcher, reference, cancellationToken);
            }
        }
        finally
        {
            await UnwatchAsync(job, reference);
        }
    }

    /// <summary>What of the job's progress the stream has sent.</summary>
    private sealed class SentProgress
    {
        public bool Source { get; set; }
        public int Outputs { get; set; }
    }

    /// <summary>
    /// The progress <paramref name="snapshot"/> shows that the stream has not sent yet: the source, then the outputs
    /// past those sent, in plan order. A snapshot carries their count only; while the job runs the outputs themselves
    /// are asked of it (a page at a time), once final they are its record's.
    /// </summary>
    private async Task<List<SseItem<object>>> ProgressAsync(IJobGrain job, JobSnapshot snapshot, SentProgress sent)
    {
        var items = new List<SseItem<object>>();
        if (!sent.Source)
        {
            if (snapshot.Source is not { } source) return items;
            items.Add(new SseItem<object>(new SourceEvent(snapshot.Hash, snapshot.JobId, source), "source"));
            sent.Source = true;
        }

        var total = Math.Max(snapshot.OutputsTotal, snapshot.ExpectedFiles.Count);
        var final = snapshot.Status.IsFinal();
        var done = final ? snapshot.Outputs.Count : snapshot.OutputsDone;
        while (sent.Outputs < done)
        {
            var outputs = final ? snapshot.Outputs.Skip(sent.Outputs).ToList() : await OutputsDoneAsync(job, sent.Outputs);
            if (outputs.Count == 0) break;
            foreach (var output in outputs)
            {
                sent.Outputs++;
                items.Add(new SseItem<object>(new OutputDoneEvent(snapshot.Hash, snapshot.JobId, output.Name, output.Format, output.Width,
                    output.Height, output.Bytes, sent.Outputs, total), "output_done"));
            }
        }

        return items;
    }

    /// <summary>The job's outputs made from <paramref name="from"/> on; none when the cluster is between silos (the next change asks again).</summary>
    private async Task<IReadOnlyList<OutputInfo>> OutputsDoneAsync(IJobGrain job, int from)
    {
        try
        {
            return await job.GetOutputsDone(from);
        }
        catch (Exception e) when (ClusterCalls.IsUnavailable(e))
        {
            logger.LogDebug("Reading a job's outputs for its event stream failed: {Error}", e.Message);
            return [];
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

    private static SseItem<object> Event(JobSnapshot snapshot, bool withDetail) =>
        new(StatusResponse.From(snapshot, withDetail), snapshot.Status.ToWire());
}
