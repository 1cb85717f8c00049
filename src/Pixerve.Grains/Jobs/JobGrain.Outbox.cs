using Microsoft.Extensions.Logging;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.GrainInterfaces.Records;
using Pixerve.ServiceDefaults;

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

/// <summary>
/// The outbox and the webhook: written down with the final status, then handed to the silo's
/// <see cref="JobOutboxWorker"/>, which does them off this grain's turns and reports back (<see cref="OutboxDone"/>).
/// A step that failed is handed over again on a timer with backoff (250 ms doubling to 30 s), a webhook attempt when
/// it is due; should this activation be lost, the next activation does it (the staging sweep brings one about: the
/// staged upload stays until nothing is left).
/// </summary>
public sealed partial class JobGrain
{
    private static readonly TimeSpan MaxOutboxDelay = TimeSpan.FromSeconds(30);
    private IGrainTimer? _outboxTimer;
    private int _outboxFailures;
    /// <summary>When work was last handed to the outbox worker whose report has not come back; null when none is out.</summary>
    private DateTimeOffset? _outboxHandedAt;

    /// <summary>Outbox steps or a webhook delivery are left (whether or not handed over).</summary>
    private bool OutboxLeft => State.Outbox.Pending || State.Webhook is { Outcome: WebhookOutcome.Pending };

    /// <summary>
    /// Hands what is due to the outbox worker, unless work handed over earlier has not yet been reported (and is not
    /// overdue), or schedules a look for when the webhook is due. False once nothing is left.
    /// </summary>
    private bool WorkOffOutbox()
    {
        if (!OutboxLeft) return false;
        var now = clock.GetUtcNow();
        if (_outboxHandedAt is { } handed && now - handed < outboxWorker.ReportDeadline) return true;

        var outbox = State.Outbox;
        var submission = State.Submission!;
        var webhookDue = State.Webhook is { Outcome: WebhookOutcome.Pending } webhook && webhook.NextAttemptAt <= now
            ? new WebhookDelivery(webhook.Attempts + 1, submission.Spec.CompletionCallback!, submission.Spec.CallbackHeaders,
                WebhookPayload.For(Hash, JobId, State), $"msg_{JobId}", submission.TraceParent)
            : null;
        if (!outbox.Pending && webhookDue is null)
        {
            ScheduleOutbox(State.Webhook!.NextAttemptAt - now);
            return true;
        }

        outboxWorker.Post(new OutboxWork(JobId, State.FinishedAt!.Value)
        {
            Subject = outbox.SubjectPending ? submission.Subject : null,
            IndexDay = outbox.IndexPending ? State.IndexedDay : null,
            IndexEntry = outbox.IndexPending
                ? new IndexEntry(Hash, IndexKindOf(State.Status), State.FinishedAt!.Value, State.Files.Count, State.Failure?.Message)
                {
                    JobId = JobId,
                    Failure = State.Failure,
                }
                : null,
            StagedBlob = outbox.StagedBlobPending ? submission.StagedBlob : null,
            Webhook = webhookDue,
        });
        _outboxHandedAt = now;
        return true;
    }

    public async Task OutboxDone(OutboxReport report)
    {
        // A report about an earlier finish (the job was retried since) says nothing of this one.
        if (!job.RecordExists || !State.Status.IsFinal() || State.FinishedAt != report.FinishedAt) return;
        _outboxHandedAt = null;

        var outbox = State.Outbox;
        var changed = false;
        if (report.SubjectDone && outbox.SubjectPending) (outbox.SubjectPending, changed) = (false, true);
        if (report.IndexDone && outbox.IndexPending) (outbox.IndexPending, changed) = (false, true);
        if (report.StagedBlobDone && outbox.StagedBlobPending) (outbox.StagedBlobPending, changed) = (false, true);
        // The outbox steps are idempotent: a record that still lists one done is not worth a write of its own. It is
        // written with the next change (a webhook attempt), or never, and a later activation does the step again.
        var webhookRecorded = report.Webhook is { } attempt && RecordWebhookAttempt(attempt);
        if (webhookRecorded || _unsaved) await WriteAsync();
        else if (changed) NotifyWatchers();

        _outboxFailures = outbox.Pending ? _outboxFailures + 1 : 0;
        var next = outbox.Pending
            ? TimeSpan.FromMilliseconds(Math.Min(MaxOutboxDelay.TotalMilliseconds, 250 * Math.Pow(2, _outboxFailures)))
            : Timeout.InfiniteTimeSpan;
        if (State.Webhook is { Outcome: WebhookOutcome.Pending } webhook)
        {
            var wait = webhook.NextAttemptAt - clock.GetUtcNow();
            if (next == Timeout.InfiniteTimeSpan || wait < next) next = wait;
        }

        if (next != Timeout.InfiniteTimeSpan) ScheduleOutbox(next);
    }

    private void ScheduleOutbox(TimeSpan delay)
    {
        _outboxTimer?.Dispose();
        _outboxTimer = this.RegisterGrainTimer(() =>
        {
            WorkOffOutbox();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan));
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
            logger.LogWarning("Job {JobId}: the {What} step failed ({Error}); it will be tried again", JobId, what, e.Message);
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
