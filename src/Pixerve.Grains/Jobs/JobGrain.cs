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

    private string JobId => this.GetPrimaryKeyString();
    private JobState State => job.State;

    /// <summary>The content hash; a job written before jobs had ids of their own is keyed by it.</summary>
    private string Hash => State.Submission?.Hash is { Length: > 0 } hash ? hash : JobId;

    public async Task<SubmitOutcome> Submit(JobSubmission submission)
    {
        // The same work again, whatever its state: a record is never reset or overwritten by an upload.
        if (job.RecordExists && State.Submission is not null) return SubmitOutcome.Exists;
        if (queue.IsFull) return SubmitOutcome.Overloaded;

        // Listed under its hash first: an entry whose job was never written is skipped by the readers.
        await GrainFactory.GetGrain<IContentJobsGrain>(submission.Hash).Add(JobId);
        var now = clock.GetUtcNow();
        job.State = new JobState
        {
            Submission = submission,
            Status = JobStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
            ExpectedFiles = OutputPlan.For(submission.Hash, submission.BaseName, submission.SourceFormat, submission.Spec)
                .Select(o => o.Name).ToList(),
        };
        await WriteAsync();
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
        return State.Submission! with { Hash = Hash };
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
            logger.LogWarning("Job {JobId} attempt {Attempt} broke ({Error}); it goes back to the queue", JobId, State.Attempts, error);
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
            JobId = JobId,
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

        var hash = Hash;
        await job.ClearStateAsync();
        await GrainFactory.GetGrain<IContentJobsGrain>(hash).Remove(JobId);
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
            logger.LogWarning("Job {JobId} was processing on a lost activation ({Silo}); queuing it again", JobId, State.ProcessedBy);
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
        queue.Enqueue(JobId, State.Submission!.Spec.Priority);
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
        logger.LogInformation("Job {JobId} ({Hash}) {Status} with {Count} files", JobId, Hash, status, State.Files.Count);

        var kind = status switch
        {
            JobStatus.Completed => IndexKind.Success,
            JobStatus.Failed => IndexKind.Failure,
            _ => IndexKind.Cancelled,
        };
        await GrainFactory.GetGrain<IJobIndexGrain>(State.IndexedDay).Add(new IndexEntry(Hash, kind, now, State.Files.Count, State.Error) { JobId = JobId });
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
