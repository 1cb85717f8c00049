using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// Owns one job's state machine. Every turn is short: the conversion runs on a queue worker, which calls
/// <see cref="TryStart"/> and then <see cref="Complete"/>. A reminder stays registered while the job is not
/// final or its webhook is not settled, so a job whose silo dies is queued again wherever it reactivates.
/// Placed at random: the job's silo is the one that encodes it (the converter is a local stateless worker),
/// so placement is what spreads the work across the cluster.
/// </summary>
[RandomPlacement]
public sealed partial class JobGrain(
    [PersistentState("job", GrainStorageNames.Jobs)] IPersistentState<JobState> job,
    JobQueue queue,
    JobWebhooks webhooks,
    BlobServiceClient blobs,
    TimeProvider clock,
    IOptions<JobOptions> options,
    ILogger<JobGrain> logger) : Grain, IJobGrain, IRemindable
{
    private const string ResumeReminder = "resume";
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _queued;
    private bool _running;

    private string Hash => this.GetPrimaryKeyString();
    private JobState State => job.State;

    public async Task<SubmitOutcome> Submit(JobSubmission submission)
    {
        if (job.RecordExists && State.Status is JobStatus.Pending or JobStatus.Processing)
            return SubmitOutcome.AlreadyActive;
        if (queue.IsFull) return SubmitOutcome.Overloaded;

        var now = clock.GetUtcNow();
        var previousDay = job.RecordExists ? State.IndexedDay : null;
        job.State = new JobState
        {
            Submission = submission,
            Status = JobStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
            ExpectedFiles = OutputPlan.For(Hash, submission.BaseName, submission.SourceFormat, submission.Spec)
                .Select(o => o.Name).ToList(),
        };
        await WriteAsync();
        if (previousDay is not null) await GrainFactory.GetGrain<IJobIndexGrain>(previousDay).Remove(Hash);
        await this.RegisterOrUpdateReminder(ResumeReminder, options.Value.ResumePeriod, options.Value.ResumePeriod);
        Enqueue();
        return SubmitOutcome.Queued;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Whatever brings a job's grain back after its silo died (a status read, the reminder) resumes the job.
        if (job.RecordExists && !State.Status.IsFinal()) await ResumeAsync();
    }

    public async Task<JobSubmission?> TryStart(string silo)
    {
        _queued = false;
        if (!job.RecordExists || State.Status != JobStatus.Pending || State.CancelRequested) return null;

        State.Status = JobStatus.Processing;
        State.Attempts++;
        State.StartedAt = State.UpdatedAt = clock.GetUtcNow();
        State.ProcessedBy = silo;
        await WriteAsync();
        _running = true;
        // A long conversion must not find its activation collected for idleness when it reports back.
        DelayDeactivation(TimeSpan.FromMinutes(30));
        return State.Submission;
    }

    public async Task Complete(ConversionResult result)
    {
        _running = false;
        if (State.Status != JobStatus.Processing) return;
        State.Files = result.Files.ToList();
        State.Error = result.Error;
        await FinishAsync(result.Error is null ? JobStatus.Completed : JobStatus.Failed);
    }

    public async Task RunFailed(string error)
    {
        _running = false;
        if (State.Status != JobStatus.Processing) return;
        if (State.Attempts < options.Value.MaxAttempts)
        {
            logger.LogWarning("Job {Hash} attempt {Attempt} broke ({Error}); it goes back to the queue", Hash, State.Attempts, error);
            State.Status = JobStatus.Pending;
            State.UpdatedAt = clock.GetUtcNow();
            await WriteAsync();
            return;
        }

        State.Error = $"conversion failed after {State.Attempts} attempts: {error}";
        await FinishAsync(JobStatus.Failed);
    }

    public async Task<CancelOutcome> Cancel()
    {
        if (!job.RecordExists || State.Submission is null) return CancelOutcome.NotFound;
        if (State.Status != JobStatus.Pending) return CancelOutcome.NotPending;

        State.CancelRequested = true;
        State.Error = "cancelled by request";
        await FinishAsync(JobStatus.Cancelled);
        return CancelOutcome.Cancelled;
    }

    public Task<JobSnapshot?> GetSnapshot()
    {
        if (!job.RecordExists || State.Submission is not { } submission) return Task.FromResult<JobSnapshot?>(null);
        return Task.FromResult<JobSnapshot?>(new JobSnapshot(Hash, State.Status, State.CreatedAt, State.UpdatedAt,
            State.ExpectedFiles, State.Files, State.Error)
        {
            StartedAt = State.StartedAt,
            FinishedAt = State.FinishedAt,
            Priority = submission.Spec.Priority,
            Attempts = State.Attempts,
            Webhook = State.Webhook,
            SpecJson = submission.SpecJson,
            ProcessedBy = State.ProcessedBy,
        });
    }

    public async Task<bool> Expire(DateTimeOffset cutoff)
    {
        if (!job.RecordExists) return true;
        if (!State.Status.IsFinal() || State.FinishedAt is not { } finished || finished >= cutoff) return false;

        await job.ClearStateAsync();
        await UnregisterResumeReminder();
        DeactivateOnIdle();
        return true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ResumeReminder) return;
        if (!job.RecordExists)
        {
            await UnregisterResumeReminder();
            return;
        }

        if (State.Status.IsFinal())
        {
            if (!await DeliverWebhookIfDueAsync()) await UnregisterResumeReminder();
            return;
        }

        await ResumeAsync();
    }

    /// <summary>Makes sure a job that is not final is queued or running somewhere.</summary>
    private async Task ResumeAsync()
    {
        if (State.Status == JobStatus.Processing && !_running)
        {
            // Started by an activation that is gone (its silo died): run it again; outputs are idempotent.
            logger.LogWarning("Job {Hash} was processing on a lost activation ({Silo}); queuing it again", Hash, State.ProcessedBy);
            State.Status = JobStatus.Pending;
            State.UpdatedAt = clock.GetUtcNow();
            await WriteAsync();
        }

        if (State.Status == JobStatus.Pending) Enqueue();
    }

    private void Enqueue()
    {
        if (_queued || State.CancelRequested) return;
        _queued = true;
        queue.Enqueue(Hash, State.Submission!.Spec.Priority);
    }

    private async Task FinishAsync(JobStatus status)
    {
        var now = clock.GetUtcNow();
        State.Status = status;
        State.FinishedAt = State.UpdatedAt = now;
        State.IndexedDay = JobIndexDays.Key(now);
        // Callbacks report completion and failure; a cancel is the caller's own act.
        State.Webhook = status == JobStatus.Cancelled || State.Submission!.Spec.CompletionCallback is null
            ? null
            : new WebhookRecord { NextAttemptAt = now };
        await WriteAsync();
        PixerveMetrics.Jobs.Add(1, new KeyValuePair<string, object?>("status", status.ToWire()));
        logger.LogInformation("Job {Hash} {Status} with {Count} files", Hash, status, State.Files.Count);

        var kind = status switch
        {
            JobStatus.Completed => IndexKind.Success,
            JobStatus.Failed => IndexKind.Failure,
            _ => IndexKind.Cancelled,
        };
        await GrainFactory.GetGrain<IJobIndexGrain>(State.IndexedDay).Add(new IndexEntry(Hash, kind, now, State.Files.Count, State.Error));
        await blobs.GetBlobContainerClient(PixerveConfiguration.StagingContainer).DeleteBlobIfExistsAsync(State.Submission!.StagedBlob);
        if (!await DeliverWebhookIfDueAsync()) await UnregisterResumeReminder();
    }

    private async Task WriteAsync()
    {
        // Cancel and status reads interleave with other turns; writes must still go one at a time.
        await _writeLock.WaitAsync();
        try
        {
            await job.WriteStateAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task UnregisterResumeReminder()
    {
        var reminder = await this.GetReminder(ResumeReminder);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }
}
