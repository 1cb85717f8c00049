using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Pixerve.Grains;

/// <summary>
/// Owns one job's state machine. A reminder stays registered while the job is not final, so a job
/// whose silo dies is picked up again when the reminder fires on another silo.
/// </summary>
public sealed class JobGrain(
    [PersistentState("job", GrainStorageNames.Jobs)] IPersistentState<JobState> job,
    BlobServiceClient blobs,
    TimeProvider clock,
    ILogger<JobGrain> logger) : Grain, IJobGrain, IRemindable
{
    private const string ResumeReminder = "resume";
    private static readonly TimeSpan ResumePeriod = TimeSpan.FromMinutes(1);
    private const int MaxAttempts = 3;

    private Task? _run;

    private string Hash => this.GetPrimaryKeyString();

    public async Task<SubmitOutcome> Submit(JobSubmission submission)
    {
        if (job.RecordExists && job.State.Status is JobStatus.Pending or JobStatus.Processing)
            return SubmitOutcome.AlreadyActive;

        var now = clock.GetUtcNow();
        job.State = new JobState
        {
            Submission = submission,
            Status = JobStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
            ExpectedFiles = OutputPlan.For(Hash, submission.BaseName, submission.SourceFormat, submission.Spec)
                .Select(o => o.Name).ToList(),
        };
        await job.WriteStateAsync();
        await this.RegisterOrUpdateReminder(ResumeReminder, ResumePeriod, ResumePeriod);
        StartRun();
        return SubmitOutcome.Queued;
    }

    public Task<JobSnapshot?> GetSnapshot()
    {
        if (!job.RecordExists || job.State.Submission is null) return Task.FromResult<JobSnapshot?>(null);
        var s = job.State;
        return Task.FromResult<JobSnapshot?>(new JobSnapshot(Hash, s.Status, s.CreatedAt, s.UpdatedAt, s.ExpectedFiles, s.Files, s.Error));
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ResumeReminder) return;
        if (!job.RecordExists || job.State.Status.IsFinal())
        {
            await UnregisterResumeReminder();
            return;
        }

        StartRun();
    }

    private void StartRun()
    {
        if (_run is { IsCompleted: false }) return;
        _run = RunAsync();
    }

    private async Task RunAsync()
    {
        var submission = job.State.Submission!;
        job.State.Status = JobStatus.Processing;
        job.State.Attempts++;
        job.State.UpdatedAt = clock.GetUtcNow();
        await job.WriteStateAsync();

        ConversionResult result;
        try
        {
            var converter = GrainFactory.GetGrain<IConverterGrain>(0);
            result = await converter.Convert(new ConversionRequest(Hash, submission));
        }
        catch (Exception e) when (job.State.Attempts < MaxAttempts)
        {
            // Transient trouble (storage, a silo going away): leave it to the reminder to try again.
            logger.LogWarning(e, "Job {Hash} attempt {Attempt} failed; it will be retried", Hash, job.State.Attempts);
            job.State.Status = JobStatus.Pending;
            job.State.UpdatedAt = clock.GetUtcNow();
            await job.WriteStateAsync();
            return;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job {Hash} failed after {Attempts} attempts", Hash, job.State.Attempts);
            result = ConversionResult.Failure($"conversion failed after {job.State.Attempts} attempts: {e.Message}");
        }

        job.State.Status = result.Error is null ? JobStatus.Completed : JobStatus.Failed;
        job.State.Files = result.Files.ToList();
        job.State.Error = result.Error;
        job.State.UpdatedAt = clock.GetUtcNow();
        await job.WriteStateAsync();
        logger.LogInformation("Job {Hash} {Status} with {Count} files", Hash, job.State.Status, result.Files.Count);

        await blobs.GetBlobContainerClient(PixerveConfiguration.StagingContainer)
            .DeleteBlobIfExistsAsync(submission.StagedBlob);
        await UnregisterResumeReminder();
    }

    private async Task UnregisterResumeReminder()
    {
        var reminder = await this.GetReminder(ResumeReminder);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }
}
