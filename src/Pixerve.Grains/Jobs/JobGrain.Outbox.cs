using Microsoft.Extensions.Logging;

namespace Pixerve.Grains.Jobs;

/// <summary>What a final job still has to do outside its own record; persisted with the status that caused it.</summary>
[GenerateSerializer, Alias("pixerve.JobOutbox")]
public sealed class JobOutbox
{
    /// <summary>The job is not yet in its day's index (so not yet in the record lists).</summary>
    [Id(0)] public bool IndexPending { get; set; }

    /// <summary>The staged upload is not yet deleted.</summary>
    [Id(1)] public bool StagedBlobPending { get; set; }

    /// <summary>The job still counts against its subject's pending jobs (<see cref="ISubjectJobsGrain"/>).</summary>
    [Id(2)] public bool SubjectPending { get; set; }

    public bool Pending => IndexPending || StagedBlobPending || SubjectPending;
}

public sealed partial class JobGrain
{
    private static readonly TimeSpan MaxOutboxDelay = TimeSpan.FromSeconds(30);
    private IGrainTimer? _outboxTimer;
    private int _outboxFailures;

    /// <summary>
    /// Works off the outbox and the webhook. Each step that fails stays in the outbox and is tried again soon
    /// (a timer with backoff here; the reminder should this activation be lost). False once nothing is left.
    /// </summary>
    private async Task<bool> WorkOffOutboxAsync()
    {
        var outbox = State.Outbox;
        var changed = false;
        // First: the subject's quota frees as soon as the job is final.
        if (outbox.SubjectPending && await TryAsync("subject count", () => SubjectJobs.For(GrainFactory, State.Submission!.Subject)
                .Remove(JobId)))
        {
            outbox.SubjectPending = false;
            changed = true;
        }

        if (outbox.IndexPending && await TryAsync("index", () => GrainFactory.GetGrain<IJobIndexGrain>(State.IndexedDay!)
                .Add(new IndexEntry(Hash, IndexKindOf(State.Status), State.FinishedAt!.Value, State.Files.Count, State.Failure?.Message)
                {
                    JobId = JobId,
                    Failure = State.Failure,
                })))
        {
            outbox.IndexPending = false;
            changed = true;
        }

        if (outbox.StagedBlobPending && await TryAsync("staged blob", () => blobs.GetBlobContainerClient(PixerveConfiguration.StagingContainer)
                .DeleteBlobIfExistsAsync(State.Submission!.StagedBlob)))
        {
            outbox.StagedBlobPending = false;
            changed = true;
        }

        if (changed) await WriteAsync();
        if (outbox.Pending)
        {
            _outboxFailures++;
            ScheduleOutboxRetry(TimeSpan.FromMilliseconds(Math.Min(MaxOutboxDelay.TotalMilliseconds, 250 * Math.Pow(2, _outboxFailures))));
        }
        else
        {
            _outboxFailures = 0;
        }

        var webhookLeft = await DeliverWebhookIfDueAsync();
        return outbox.Pending || webhookLeft;
    }

    private void ScheduleOutboxRetry(TimeSpan delay)
    {
        _outboxTimer?.Dispose();
        _outboxTimer = this.RegisterGrainTimer(async () =>
        {
            if (!await WorkOffOutboxAsync()) await UnregisterResumeReminder();
        }, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));
    }

    private async Task<bool> TryAsync(string what, Func<Task> step)
    {
        try
        {
            await step();
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning("Job {JobId}: the {What} step after it finished failed ({Error}); it will be tried again", JobId, what, e.Message);
            return false;
        }
    }

    private static IndexKind IndexKindOf(JobStatus status) => status switch
    {
        JobStatus.Completed => IndexKind.Success,
        JobStatus.Failed => IndexKind.Failure,
        _ => IndexKind.Cancelled,
    };
}
