using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime.Placement;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.GrainInterfaces.Records;
using Pixerve.Grains.Persistence;
using Pixerve.Grains.Records;
using Pixerve.Grains.Staging;
using Pixerve.ServiceDefaults;
using Pixerve.Staging;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// Owns one job's state machine. Every turn is short: the conversion runs on a queue worker, which calls
/// <see cref="TryStart"/> and then <see cref="Complete"/>. The job's staged upload is its mark of unfinished business:
/// it exists until the job is final and has no side effects left (index, webhook), and the staging sweep asks its job
/// about it every period (<see cref="UseOf"/>), so a job whose silo dies is queued again wherever it reactivates;
/// any activation or status read of a pending job that is queued nowhere queues it too. No reminder per job: a job
/// costs the storage account no request to be safe. A running job is never queued again while the silo running it is
/// alive and within <see cref="JobOptions.MaxConversionTime"/> (its lease): only a lost silo or an expired lease
/// starts it again.
/// <para>
/// The record is read on first use, not at activation (<see cref="LazyGrainState{T}"/>): a submission creates it
/// with one conditional write and no read.
/// </para>
/// Placed at random: the job's silo is the one that encodes it (the converter is a local stateless worker),
/// so placement is what spreads the work across the cluster; a stopping silo moves its waiting jobs elsewhere.
/// </summary>
[RandomPlacement]
public sealed partial class JobGrain(
    JobQueue queue,
    JobWebhooks webhooks,
    JobOutboxWorker outboxWorker,
    IStagingStore staging,
    IClusterMembershipService membership,
    RunningConversions conversions,
    TimeProvider clock,
    IOptions<JobOptions> options,
    ILogger<JobGrain> logger) : Grain, IJobGrain, IRemindable, IIncomingGrainCallFilter
{
    /// <summary>How long past <see cref="JobOptions.MaxConversionTime"/> a run's lease lasts: its worker's time to report.</summary>
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromMinutes(2);

    /// <summary>The reminder earlier versions registered per job; one that still ticks is removed.</summary>
    private const string ResumeReminder = "resume";
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private LazyGrainState<JobState>? _job;
    /// <summary>The record was read by a call that interleaves; the next turn of its own resumes the job.</summary>
    private bool _resumeOwed;
    /// <summary>The state in memory differs from the stored record: its last write failed (storage unreachable).</summary>
    private bool _unsaved;

    private LazyGrainState<JobState> job => _job ??= new(GrainContext, "job", GrainStorageNames.Jobs);
    private string JobId => this.GetPrimaryKeyString();
    private JobState State => job.State;

    /// <summary>The content hash (the job's key is its job id); only when the job has a record.</summary>
    private string Hash => State.Submission!.Hash;

    public async Task<SubmitResult> Submit(JobSubmission submission)
    {
        if (job.Loaded && Existing(submission) is { } known) return known;
        if (queue.IsFull) return SubmitResult.Overloaded;

        // Names first: a name another job of these bytes holds in the same place for other work refuses this one
        // before anything of it exists, so the file already there is never replaced (stored files are immutable).
        // Listed under its hash with its names: readers skip an id whose job was never written, and the names are
        // this job's own should it be submitted again.
        var plan = OutputPlan.For(submission.Hash, submission.BaseName, submission.SourceFormat, submission.Spec).ToList();
        var claims = await GrainFactory.GetGrain<IContentJobsGrain>(submission.Hash).Add(JobId, OutputClaim.For(submission.Spec, plan));
        if (!claims.IsGranted)
        {
            DeactivateOnIdle();
            return Conflict(submission, plan, claims);
        }

        // The record is created by one conditional write, without reading first: a new job is the usual case. The
        // staged upload, already stored, is what brings the job back should its silo die after this write.
        var now = clock.GetUtcNow();
        var fresh = new JobState
        {
            Submission = submission,
            Status = JobStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
            Plan = plan,
        };
        if (!await job.TryCreateAsync(fresh))
        {
            // A record exists: this activation came up for this call, so it resumes the job as any activation does.
            await OnLoadedAsync();
            if (Existing(submission) is { } found) return found;
            // What an expired job left (a cleared record): this submission writes it anew.
            job.State = fresh;
            await WriteAsync();
        }
        else
        {
            NotifyWatchers();
        }

        EnqueueIfIdle();
        return Result(SubmitOutcome.Queued);
    }

    /// <summary>The answer to a submission of a job that has a record already; null when it has none.</summary>
    private SubmitResult? Existing(JobSubmission submission)
    {
        if (!job.RecordExists || State.Submission is not { } existing) return null;
        // The gateway asking again after a broken answer: the job already took this very upload.
        if (existing.StagedBlob == submission.StagedBlob) return Result(SubmitOutcome.Queued);
        // The same work again, whatever its state: a record is never reset or overwritten by an upload.
        EnqueueIfIdle();
        return Result(SubmitOutcome.Exists);
    }

    /// <summary>
    /// Reads the record before any call but a submission (which creates it without reading), and resumes the job the
    /// first time: in this call's turn, or for a call that interleaves with others, in the next turn of its own.
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name != nameof(Submit))
        {
            var read = await job.LoadAsync();
            var interleaves = context.InterfaceMethod?.IsDefined(typeof(AlwaysInterleaveAttribute), inherit: true) == true;
            if (read && interleaves)
            {
                _resumeOwed = true;
                _ = GrainFactory.GetGrain<IJobGrain>(JobId).Resume();
            }
            else if (!interleaves && (read || _resumeOwed))
            {
                _resumeOwed = false;
                await OnLoadedAsync();
            }
        }

        await context.Invoke();
    }

    private SubmitResult Result(SubmitOutcome outcome) => new(outcome, State.ExpectedNames, State.Status);

    private static SubmitResult Conflict(JobSubmission submission, List<PlannedOutput> plan, ClaimOutcome claims)
    {
        var names = claims.Conflicts.Select(c => c.Name).Distinct(StringComparer.Ordinal).ToList();
        var where = submission.Spec.SubDir.Length == 0 ? "at the top level" : $"under subDir '{submission.Spec.SubDir}'";
        var reason = claims.Full
            ? $"these bytes are already stored under {ContentJobsGrain.MaxNames} names, the most Pixerve keeps track of for one image; " +
              "upload again under names it already has"
            : names.Count == 1
                ? $"a file named {names[0]} is already stored {where} from the same bytes with other settings, and stored files are never replaced; " +
                  "upload under another file name or subDir, or with the same settings"
                : $"{names.Count} of these files are already stored {where} from the same bytes with other settings, and stored files are never replaced; " +
                  "upload under another file name or subDir, or with the same settings";
        return new SubmitResult(SubmitOutcome.Conflict, plan.Select(p => p.Name).ToList(), JobStatus.Pending) { Conflicts = names, Reason = reason };
    }

    /// <summary>
    /// Whatever brings a job's grain back after its silo died (a status read, the staging sweep) resumes the job and
    /// works off what its completion left undone.
    /// </summary>
    private async Task OnLoadedAsync()
    {
        if (!job.RecordExists || State.Submission is null) return;
        if (!State.Status.IsFinal()) await ResumeAsync();
        else WorkOffOutbox();
    }

    public async Task<ConversionRequest?> TryStart(string silo)
    {
        if (!job.RecordExists || State.Status != JobStatus.Pending || State.CancelRequested) return null;

        var before = (State.Attempts, State.StartedAt, State.UpdatedAt, State.ProcessedBy);
        State.Status = JobStatus.Processing;
        State.Attempts++;
        State.StartedAt = State.UpdatedAt = clock.GetUtcNow();
        State.ProcessedBy = silo;
        try
        {
            await WriteAsync();
        }
        catch
        {
            // Not started after all (the record still says pending): nothing may hold a run that no worker has.
            State.Status = JobStatus.Pending;
            (State.Attempts, State.StartedAt, State.UpdatedAt, State.ProcessedBy) = before;
            _unsaved = false;
            throw;
        }

        return Request();
    }

    private ConversionRequest Request()
    {
        // A long conversion must not find its activation collected for idleness when it reports back.
        DelayDeactivation(options.Value.MaxConversionTime + LeaseMargin);
        var request = new ConversionRequest(Hash, State.Submission!, OutputPlan.WithFingerprints(Hash, State.Plan))
        {
            CorrelationId = JobError.NewCorrelationId(),
            JobId = JobId,
            Attempt = State.Attempts,
        };
        // The run's id is what its progress reports must carry: known to this activation alone, so nothing but the
        // converter it handed the request to can report for it.
        _progress = new RunProgress(request.Attempt, request.CorrelationId, request.Plan);
        return request;
    }

    public async Task Complete(ConversionResult result)
    {
        EndRun();
        if (State.Status != JobStatus.Processing)
        {
            // The worker asking again after this outcome's write failed: write it now.
            await SaveUnsavedAsync(reported: true);
            return;
        }

        State.Files = result.Files.ToList();
        State.Source = result.Source;
        State.Outputs = result.Outputs.ToList();
        var failure = result.Failure;
        State.Failure = failure;
        EndAttempt(failure is null ? JobAttemptOutcome.Completed : JobAttemptOutcome.Failed, failure);
        if (failure is not null) LogFailure(failure);
        await FinishAsync(failure is null ? JobStatus.Completed : JobStatus.Failed);
    }

    public async Task RunBroke(JobError error)
    {
        EndRun();
        if (State.Status != JobStatus.Processing)
        {
            await SaveUnsavedAsync(reported: true);
            return;
        }

        EndAttempt(JobAttemptOutcome.Broke, error);
        if (State.Attempts - State.AttemptsBeforeRetry < options.Value.MaxAttempts)
        {
            // Queued again at once (this activation's silo is alive: it answered), not at the next reminder.
            logger.LogWarning("Job {JobId} attempt {Attempt} broke [{CorrelationId}] ({Error}); it goes back to the queue",
                JobId, State.Attempts, error.CorrelationId, error.Detail);
            State.Status = JobStatus.Pending;
            State.UpdatedAt = clock.GetUtcNow();
            await WriteAsync();
            EnqueueIfIdle(reported: true);
            return;
        }

        var attempts = State.Attempts - State.AttemptsBeforeRetry;
        var failure = error with
        {
            Message = $"conversion failed after {attempts} attempts: {error.Message}",
            Detail = $"conversion failed after {attempts} attempts: {error.Detail}",
        };
        State.Failure = failure;
        LogFailure(failure);
        await FinishAsync(JobStatus.Failed);
    }

    public async Task HandBack(JobError reason)
    {
        EndRun();
        if (State.Status != JobStatus.Processing)
        {
            await SaveUnsavedAsync(reported: true);
            return;
        }

        logger.LogWarning("Job {JobId} attempt {Attempt} was handed back by its stopping silo; it runs elsewhere", JobId, State.Attempts);
        EndAttempt(JobAttemptOutcome.HandedBack, reason);
        State.Status = JobStatus.Pending;
        State.UpdatedAt = clock.GetUtcNow();
        await WriteAsync();
        EnqueueIfIdle(reported: true);
    }

    public Task HandOff()
    {
        if (job.RecordExists && State.Status == JobStatus.Pending && !RunningHere) MoveElsewhere();
        return Task.CompletedTask;
    }

    public async Task<RetryOutcome> Retry()
    {
        if (!job.RecordExists || State.Submission is null) return RetryOutcome.NotFound;
        if (State.Status != JobStatus.Failed) return RetryOutcome.NotFailed;
        if (State.Retries >= options.Value.MaxRetries) return RetryOutcome.TooManyRetries;
        // The sweep leaves a failed job's original alone; the retried job needs it watched again (should this silo
        // die after the write below, the sweep asking about it is what resumes the job).
        if (!await StagedOriginals.UnkeepAsync(staging, State.Submission.StagedBlob)) return RetryOutcome.OriginalGone;

        var failedDay = State.IndexedDay;
        State.Retries++;
        State.AttemptsBeforeRetry = State.Attempts;
        State.Status = JobStatus.Pending;
        State.Failure = null;
        State.Files = [];
        State.Outputs = [];
        State.FinishedAt = null;
        State.IndexedDay = null;
        State.Webhook = null;
        State.UpdatedAt = clock.GetUtcNow();
        await WriteAsync();
        _outboxHandedAt = null;
        logger.LogInformation("Job {JobId} ({Hash}) retried ({Retries} of {MaxRetries})", JobId, Hash, State.Retries, options.Value.MaxRetries);
        // Off the dead-letter list now; its next outcome lists it again. Should this fail, the list shows it
        // until that outcome replaces the entry.
        if (failedDay is not null) await TryAsync("unlist", () => GrainFactory.GetGrain<IJobIndexGrain>(failedDay).Remove(JobId));
        EnqueueIfIdle();
        return RetryOutcome.Queued;
    }

    /// <summary>
    /// The worker reported: the activation no longer needs holding for it, and is collected when idle like any other
    /// (held to the end, every job's activation would outlive the collection age).
    /// </summary>
    private void EndRun()
    {
        DelayDeactivation(TimeSpan.Zero);
        // The run's progress goes with it: the record has what it made once it is final.
        _progress = null;
    }

    /// <summary>
    /// A worker of this silo holds the job's run (from before it asks to start it to after it reported): the one
    /// truth about whether a run is in progress here, which no lost call or failed write can leave stuck.
    /// </summary>
    private bool RunningHere => conversions.IsRunning(JobId);

    /// <summary>Closes the running attempt in the record's history.</summary>
    private void EndAttempt(string outcome, JobError? failure) =>
        State.History.Add(new JobAttempt(State.Attempts, State.StartedAt ?? State.CreatedAt, clock.GetUtcNow(), State.ProcessedBy, outcome, failure));

    /// <summary>The line an operator finds by the correlation id a token holder quotes: it carries the detail.</summary>
    private void LogFailure(JobError failure) =>
        logger.LogWarning("Job {JobId} ({Hash}) failed [{CorrelationId}] {Category}: {Detail}",
            JobId, Hash, failure.CorrelationId, failure.Category, failure.Detail);

    public async Task<CancelOutcome> Cancel()
    {
        if (!job.RecordExists || State.Submission is null) return CancelOutcome.NotFound;
        if (State.Status != JobStatus.Pending) return CancelOutcome.NotPending;

        State.CancelRequested = true;
        State.Failure = JobError.Cancelled;
        await FinishAsync(JobStatus.Cancelled);
        return CancelOutcome.Cancelled;
    }

    public Task<JobSnapshot?> GetSnapshot()
    {
        if (!job.RecordExists || State.Submission is null) return Task.FromResult<JobSnapshot?>(null);
        // A pending job queued nowhere (its queue entry lost with a broken call) is queued by being looked at.
        EnqueueIfIdle();
        return Task.FromResult<JobSnapshot?>(Snapshot());
    }

    /// <summary>The job as it stands; only when it has a record.</summary>
    private JobSnapshot Snapshot()
    {
        var submission = State.Submission!;
        var failure = State.Failure;
        return new JobSnapshot(Hash, State.Status, State.CreatedAt, State.UpdatedAt, State.ExpectedNames, State.Files, failure?.Message)
        {
            Failure = failure,
            JobId = JobId,
            StartedAt = State.StartedAt,
            FinishedAt = State.FinishedAt,
            Priority = submission.Spec.Priority,
            Attempts = State.Attempts,
            Webhook = State.Webhook,
            SpecJson = submission.SpecJson,
            ProcessedBy = State.ProcessedBy,
            StagedBlob = submission.StagedBlob,
            // While it runs, the source as soon as its converter described it.
            Source = RunningProgress?.Source ?? State.Source,
            Outputs = State.Outputs,
            History = State.History.ToList(),
            Retries = State.Retries,
            OutputsDone = OutputsDone,
            OutputsTotal = State.Plan.Count,
        };
    }

    public async Task<JobExpiry> Expire(DateTimeOffset cutoff)
    {
        if (!job.RecordExists) return new JobExpiry(true, []);
        if (!State.Status.IsFinal() || State.FinishedAt is not { } finished || finished >= cutoff) return JobExpiry.Kept;

        var hash = Hash;
        var files = State.Files.ToList();
        // A failed job kept its original for a retry until now.
        if (State.Status == JobStatus.Failed)
            await staging.DeleteIfExistsAsync(State.Submission!.StagedBlob, CancellationToken.None);
        await job.ClearStateAsync();
        await GrainFactory.GetGrain<IContentJobsGrain>(hash).Remove(JobId);
        DeactivateOnIdle();
        return new JobExpiry(true, files);
    }

    /// <summary>A reminder of an earlier version's job: the call itself resumed the job; the reminder goes.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ResumeReminder) return;
        if (_unsaved) await SaveUnsavedAsync();
        var reminder = await this.GetReminder(ResumeReminder);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }

    /// <summary>The call filter resumed the job before this turn, if its record was read for it.</summary>
    public Task Resume() => Task.CompletedTask;

    public async Task<StagedUploadUse> UseOf(string stagedBlob)
    {
        if (!job.RecordExists || State.Submission?.StagedBlob != stagedBlob) return StagedUploadUse.None;
        if (_unsaved) await SaveUnsavedAsync();
        if (!State.Status.IsFinal())
        {
            EnqueueIfIdle();
            return StagedUploadUse.InUse;
        }

        if (WorkOffOutbox()) return StagedUploadUse.InUse;
        return State.Status == JobStatus.Failed ? StagedUploadUse.Kept : StagedUploadUse.Done;
    }

    /// <summary>Makes sure a job that is not final is queued or running somewhere.</summary>
    private async Task ResumeAsync()
    {
        if (State.Status == JobStatus.Processing && !RunningHere)
        {
            // Its worker may still be converting (this activation is new, the silo running it is alive): the run
            // holds its lease until it reports, and is never started twice.
            if (RunHoldsLease()) return;
            // Started by an activation that is gone with its silo, or a run that never reported: run it again.
            logger.LogWarning("Job {JobId} was processing on a lost activation ({Silo}); queuing it again", JobId, State.ProcessedBy);
            EndAttempt(JobAttemptOutcome.Lost, null);
            State.Status = JobStatus.Pending;
            State.UpdatedAt = clock.GetUtcNow();
            await WriteAsync();
        }

        EnqueueIfIdle();
    }

    /// <summary>
    /// True while a worker may still run the attempt: on this silo, one that holds it now; on another, that silo alive
    /// and the attempt within its time.
    /// </summary>
    private bool RunHoldsLease()
    {
        if (State.ProcessedBy == GrainContext.Address.SiloAddress?.ToString()) return RunningHere;
        if (State.StartedAt is not { } started || started + options.Value.MaxConversionTime + LeaseMargin < clock.GetUtcNow()) return false;
        var runner = membership.CurrentSnapshot.Members.Values.FirstOrDefault(m => m.SiloAddress.ToString() == State.ProcessedBy);
        return runner is not null && runner.Status != SiloStatus.Dead;
    }

    /// <summary>
    /// Queues a pending job on this silo unless it waits here already or a worker runs it; on a stopping silo,
    /// moves it to another one instead.
    /// </summary>
    /// <param name="reported">Called by the worker reporting its run, which it still holds until the report returns.</param>
    private void EnqueueIfIdle(bool reported = false)
    {
        if (State.Status != JobStatus.Pending || State.CancelRequested || (RunningHere && !reported)) return;
        if (queue.IsClosed) MoveElsewhere();
        else queue.Enqueue(JobId, State.Submission!.Spec.Priority);
    }

    /// <summary>
    /// Migrates this activation, state and all, to another active silo, where activating it queues the job. With no
    /// other silo, the job stays pending in storage and its reminder resumes it once a silo is back.
    /// </summary>
    private void MoveElsewhere()
    {
        var others = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(GrainContext.Address.SiloAddress))
            .Select(m => m.SiloAddress).ToList();
        if (others.Count == 0) return;
        var target = others[Random.Shared.Next(others.Count)];
        logger.LogInformation("Job {JobId} moves to {Silo}: this silo is stopping", JobId, target);
        RequestContext.Set(IPlacementDirector.PlacementHintKey, target);
        try
        {
            this.MigrateOnIdle();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
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
        // The side effects are written down with the status, then worked off until each is done.
        // A failed job keeps its original, so a retry needs no new upload; retention deletes it with the record.
        // The staged upload is the staging sweep's to delete once the job says it is done with it (a failed job keeps
        // its original, so a retry needs no new upload; retention deletes it with the record).
        State.Outbox = new JobOutbox { IndexPending = true, SubjectPending = true };
        await WriteAsync();
        // Written down first: only now is the work handed to the outbox worker, off this turn.
        (_outboxHandedAt, _outboxFailures) = (null, 0);
        PixerveMetrics.Jobs.Add(1, new KeyValuePair<string, object?>("status", status.ToWire()));
        logger.LogInformation("Job {JobId} ({Hash}) {Status} with {Count} files", JobId, Hash, status, State.Files.Count);
        WorkOffOutbox();
    }

    /// <summary>
    /// Writes a state whose write failed, then does what that write was to be followed by: a final job's side effects,
    /// a pending job's queuing.
    /// </summary>
    /// <param name="reported">Called by a worker reporting its run (see <see cref="EnqueueIfIdle"/>).</param>
    private async Task SaveUnsavedAsync(bool reported = false)
    {
        if (!_unsaved) return;
        await WriteAsync();
        if (State.Status.IsFinal()) WorkOffOutbox();
        else EnqueueIfIdle(reported);
    }

    private async Task WriteAsync()
    {
        // Cancel and status reads interleave with other turns; writes must still go one at a time.
        await _writeLock.WaitAsync();
        try
        {
            _unsaved = true;
            await job.WriteStateAsync();
            _unsaved = false;
        }
        finally
        {
            _writeLock.Release();
        }

        // Every state a job writes is told to its watchers (the gateways' /events streams).
        NotifyWatchers();
    }

}
