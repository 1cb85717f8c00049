using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Grains.Jobs;
using Pixerve.ServiceDefaults;
using Pixerve.Testing.Fixtures;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Grains.Tests.Jobs;

/// <summary>
/// The job grain's state machine driven through <see cref="IJobGrain"/> on the test cluster, with no gateway in the
/// way. The queue is paused so no worker of the silo takes the job: the test is the worker, holding the run as a
/// worker does (<see cref="RunningConversions.Hold"/>), so nothing that resumes the job takes the run for a lost one.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class JobStateMachineTests(PixerveFixture fixture) : IAsyncLifetime
{
    private const string Subject = "state-machine-tests";
    private static readonly ConversionResult Converted = ConversionResult.Of([], null);

    /// <summary>The runs this test holds as their worker, by job id, until it reports them.</summary>
    private readonly Dictionary<string, IDisposable> _held = [];
    private readonly List<string> _staged = [];

    private IGrainFactory Grains => fixture.SiloService<IGrainFactory>();
    private string Silo => fixture.Cluster.Primary!.SiloAddress.ToString();

    public Task InitializeAsync()
    {
        fixture.Queue().Pause();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var run in _held.Values) run.Dispose();
        // Every job of these tests is final by now: the workers find nothing to start in what they were queued.
        fixture.Queue().Resume();
        // The uploads a job answered Exists to: the gateway drops them, and so does the test.
        var staging = fixture.SiloService<BlobServiceClient>().GetBlobContainerClient(PixerveConfiguration.StagingContainer);
        foreach (var name in _staged) await staging.DeleteBlobIfExistsAsync(name);
    }

    [Fact]
    public async Task A_submitted_job_is_pending_until_a_worker_starts_it_then_processing_then_completed_when_its_run_reports()
    {
        var (job, submission) = await NewJobAsync();

        var submitted = await job.Submit(submission);
        Assert.Equal((SubmitOutcome.Queued, JobStatus.Pending), (submitted.Outcome, submitted.Status));
        Assert.NotEmpty(submitted.ExpectedFiles);
        var pending = await SnapshotAsync(job);
        Assert.Equal((JobStatus.Pending, 0), (pending.Status, pending.Attempts));
        Assert.Null(pending.StartedAt);

        var request = await StartAsync(job);
        Assert.NotNull(request);
        Assert.Equal(submission.Hash, request.Hash);
        var running = await SnapshotAsync(job);
        Assert.Equal((JobStatus.Processing, 1, Silo), (running.Status, running.Attempts, running.ProcessedBy));
        Assert.NotNull(running.StartedAt);
        Assert.Null(running.FinishedAt);

        await ReportAsync(job, Converted);
        var completed = await SnapshotAsync(job);
        Assert.Equal(JobStatus.Completed, completed.Status);
        Assert.NotNull(completed.FinishedAt);
        Assert.Null(completed.Failure);
        Assert.Equal(JobAttemptOutcome.Completed, Assert.Single(completed.History).Outcome);
    }

    [Fact]
    public async Task A_run_that_reports_a_failure_leaves_the_job_failed_with_that_failure()
    {
        var (job, submission) = await NewJobAsync();
        await job.Submit(submission);
        Assert.NotNull(await StartAsync(job));

        var failure = new JobError(JobErrorCategory.Decode, "the source is not an image", JobError.NewCorrelationId(), "no decoder took it");
        await ReportAsync(job, ConversionResult.Of([], failure));

        var failed = await SnapshotAsync(job);
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal(failure, failed.Failure);
        Assert.NotNull(failed.FinishedAt);
        var attempt = Assert.Single(failed.History);
        Assert.Equal((JobAttemptOutcome.Failed, failure), (attempt.Outcome, attempt.Failure));
    }

    [Fact]
    public async Task Cancel_takes_a_pending_job_to_cancelled_and_no_worker_starts_it_after()
    {
        var (job, submission) = await NewJobAsync();
        await job.Submit(submission);

        Assert.Equal(CancelOutcome.Cancelled, await job.Cancel());
        var cancelled = await SnapshotAsync(job);
        Assert.Equal((JobStatus.Cancelled, 0), (cancelled.Status, cancelled.Attempts));
        Assert.Equal(JobErrorCategory.Cancelled, cancelled.Failure?.Category);

        Assert.Null(await StartAsync(job));
        Assert.Equal(CancelOutcome.NotPending, await job.Cancel());
        Assert.Equal((JobStatus.Cancelled, 0), ((await SnapshotAsync(job)).Status, (await SnapshotAsync(job)).Attempts));
    }

    [Fact]
    public async Task Cancel_of_a_running_job_is_refused_and_its_run_still_completes()
    {
        var (job, submission) = await NewJobAsync();
        await job.Submit(submission);
        Assert.NotNull(await StartAsync(job));

        Assert.Equal(CancelOutcome.NotPending, await job.Cancel());
        Assert.Equal(JobStatus.Processing, (await SnapshotAsync(job)).Status);

        await ReportAsync(job, Converted);
        Assert.Equal(JobStatus.Completed, (await SnapshotAsync(job)).Status);
    }

    [Fact]
    public async Task Retry_makes_a_failed_job_pending_again_and_is_refused_once_MaxRetries_retries_were_made()
    {
        var (job, submission) = await NewJobAsync();
        await job.Submit(submission);
        var failure = new JobError(JobErrorCategory.Storage, "the backend refused the write", JobError.NewCorrelationId(), "503 from the backend");
        await StartAsync(job);
        await ReportAsync(job, ConversionResult.Of([], failure));

        Assert.Equal(RetryOutcome.Queued, await job.Retry());
        var retried = await SnapshotAsync(job);
        Assert.Equal((JobStatus.Pending, 1, 1), (retried.Status, retried.Retries, retried.Attempts));
        Assert.Null(retried.Failure);
        Assert.Null(retried.FinishedAt);

        // The retry runs from the kept original: a worker starts it as any pending job.
        var request = await StartAsync(job);
        Assert.NotNull(request);
        Assert.Equal(submission.StagedBlob, request.Submission.StagedBlob);
        Assert.Equal((JobStatus.Processing, 2), ((await SnapshotAsync(job)).Status, (await SnapshotAsync(job)).Attempts));
        await ReportAsync(job, ConversionResult.Of([], failure));
        var failedAgain = await SnapshotAsync(job);
        Assert.Equal(JobStatus.Failed, failedAgain.Status);
        Assert.Equal([JobAttemptOutcome.Failed, JobAttemptOutcome.Failed], failedAgain.History.Select(a => a.Outcome));

        // The fixture allows one retry (Pixerve:Jobs:MaxRetries = 1).
        Assert.Equal(RetryOutcome.TooManyRetries, await job.Retry());
        Assert.Equal((JobStatus.Failed, 1), ((await SnapshotAsync(job)).Status, (await SnapshotAsync(job)).Retries));
    }

    [Fact]
    public async Task A_second_submit_of_the_same_job_leaves_its_record_as_it_is_pending_and_final()
    {
        var (job, submission) = await NewJobAsync();
        await job.Submit(submission);
        var first = await SnapshotAsync(job);

        // The gateway asking again after a broken answer (the same staged upload): the job already took it.
        var repeated = await job.Submit(submission);
        Assert.Equal((SubmitOutcome.Queued, JobStatus.Pending), (repeated.Outcome, repeated.Status));
        // Another upload of the same work while it is pending: the job exists, its record is not reset.
        var again = await job.Submit(submission with { StagedBlob = await StageAsync(UniqueBytes.Png()) });
        Assert.Equal((SubmitOutcome.Exists, JobStatus.Pending), (again.Outcome, again.Status));
        Assert.Equal(first.ExpectedFiles, again.ExpectedFiles);
        var unchanged = await SnapshotAsync(job);
        Assert.Equal((first.CreatedAt, first.StagedBlob), (unchanged.CreatedAt, unchanged.StagedBlob));

        await StartAsync(job);
        await ReportAsync(job, Converted);
        var completed = await SnapshotAsync(job);

        // And once it is final: still the same record, not a new run.
        var afterFinal = await job.Submit(submission with { StagedBlob = await StageAsync(UniqueBytes.Png()) });
        Assert.Equal((SubmitOutcome.Exists, JobStatus.Completed), (afterFinal.Outcome, afterFinal.Status));
        var still = await SnapshotAsync(job);
        Assert.Equal((JobStatus.Completed, 1, completed.FinishedAt), (still.Status, still.Attempts, still.FinishedAt));
        Assert.Null(await StartAsync(job));
    }

    [Fact]
    public async Task A_transition_the_state_machine_does_not_have_changes_nothing()
    {
        // Unknown job: nothing to cancel, retry or start.
        var (unknown, _) = await NewJobAsync();
        Assert.Equal(CancelOutcome.NotFound, await unknown.Cancel());
        Assert.Equal(RetryOutcome.NotFound, await unknown.Retry());
        Assert.Null(await StartAsync(unknown));
        Assert.Null(await unknown.GetSnapshot());

        // Pending: a run's report without a run, and a retry, leave it pending and unrun.
        var (job, submission) = await NewJobAsync();
        await job.Submit(submission);
        await job.Complete(Converted);
        await job.RunBroke(new JobError(JobErrorCategory.Conversion, "broke", JobError.NewCorrelationId(), "broke"));
        Assert.Equal(RetryOutcome.NotFailed, await job.Retry());
        var pending = await SnapshotAsync(job);
        Assert.Equal((JobStatus.Pending, 0, 0), (pending.Status, pending.Attempts, pending.History.Count));

        // Completed: no second start, no cancel, no retry, and a late report changes nothing.
        Assert.NotNull(await StartAsync(job));
        await ReportAsync(job, Converted);
        var completed = await SnapshotAsync(job);
        Assert.Null(await StartAsync(job));
        Assert.Equal(CancelOutcome.NotPending, await job.Cancel());
        Assert.Equal(RetryOutcome.NotFailed, await job.Retry());
        await job.Complete(ConversionResult.Of([], new JobError(JobErrorCategory.Decode, "late", JobError.NewCorrelationId(), "late")));
        var after = await SnapshotAsync(job);
        Assert.Equal((JobStatus.Completed, 1, completed.FinishedAt), (after.Status, after.Attempts, after.FinishedAt));
        Assert.Null(after.Failure);
        Assert.Single(after.History);
    }

    [Fact]
    public async Task A_runs_progress_shows_while_it_runs_and_a_report_of_an_earlier_attempt_another_run_or_after_the_outcome_changes_nothing()
    {
        var (job, submission) = await NewJobAsync();
        await job.Submit(submission);
        var first = await StartAsync(job) ?? throw new Xunit.Sdk.XunitException("the job did not start");
        Assert.Equal((job.GetPrimaryKeyString(), 1), (first.JobId, first.Attempt));
        var source = new SourceInfo("jpg", 640, 480, false, "#102030", "thumbhash", "blurhash", 1);
        var output = new OutputInfo(first.Plan[0].Name, "jpg", 64, 48, 1234);

        // The first attempt breaks; its converter's reports come after the second has started.
        await job.RunBroke(new JobError(JobErrorCategory.Conversion, "broke", JobError.NewCorrelationId(), "broke"));
        if (_held.Remove(job.GetPrimaryKeyString(), out var broken)) broken.Dispose();
        var second = await StartAsync(job) ?? throw new Xunit.Sdk.XunitException("the job did not start again");
        Assert.Equal(2, second.Attempt);
        Assert.NotEqual(first.CorrelationId, second.CorrelationId);
        await job.Progress(new ConversionProgress(first.Attempt, first.CorrelationId) { Source = source, Index = 0, Output = output });
        // The running attempt's number with another run's id: not this run's converter.
        await job.Progress(new ConversionProgress(second.Attempt, first.CorrelationId) { Source = source, Index = 0, Output = output });
        // Taken in order after the reports above: when it answers, the job has had them.
        await job.Resume();
        var ignored = await SnapshotAsync(job);
        Assert.Equal((JobStatus.Processing, 0, 1, null), (ignored.Status, ignored.OutputsDone, ignored.OutputsTotal, ignored.Source));
        Assert.Empty(await job.GetOutputsDone(0));

        // The running attempt's own reports: the output shows once the source is known, without a write.
        await job.Progress(new ConversionProgress(second.Attempt, second.CorrelationId) { Index = 0, Output = output });
        await job.Resume();
        Assert.Equal(0, (await SnapshotAsync(job)).OutputsDone);
        await job.Progress(new ConversionProgress(second.Attempt, second.CorrelationId) { Source = source });
        await job.Resume();
        var running = await SnapshotAsync(job);
        Assert.Equal((JobStatus.Processing, 1, 1, source), (running.Status, running.OutputsDone, running.OutputsTotal, running.Source));
        Assert.Equal(ignored.UpdatedAt, running.UpdatedAt);
        Assert.Equal([output], await job.GetOutputsDone(0));
        Assert.Empty(await job.GetOutputsDone(1));

        // After the outcome: the record's outputs, and a late report changes nothing.
        var made = output with { Bytes = 4321 };
        await ReportAsync(job, ConversionResult.Of([], null) with { Source = source, Outputs = [made] });
        await job.Progress(new ConversionProgress(second.Attempt, second.CorrelationId) { Index = 0, Output = output with { Width = 9999 } });
        await job.Resume();
        var completed = await SnapshotAsync(job);
        Assert.Equal((JobStatus.Completed, 1, 1), (completed.Status, completed.OutputsDone, completed.OutputsTotal));
        Assert.Equal([made], await job.GetOutputsDone(0));
    }

    /// <summary>A job of new bytes, staged as the gateway stages an upload, not yet submitted.</summary>
    private async Task<(IJobGrain Job, JobSubmission Submission)> NewJobAsync()
    {
        var bytes = UniqueBytes.Jpeg("va.jpg");
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var spec = new JobSpec
        {
            Formats = [new FormatRequest(OutputFormat.Jpg, null, null, [new BoxSize(64, 64)])],
            DirectHost = true,
            SubDir = $"state-machine/{Guid.NewGuid():N}",
        };
        var specJson = JsonSerializer.Serialize(new { formats = new { jpg = new { sizes = new[] { new[] { 64 } } } }, directHost = true, subDir = spec.SubDir });
        var submission = new JobSubmission(hash, spec, await StageAsync(bytes), "va", SourceFormat.Jpeg, bytes.Length, specJson) { Subject = Subject };
        return (Grains.GetGrain<IJobGrain>(JobIdentity.Compute(hash, Subject, specJson)), submission);
    }

    private async Task<string> StageAsync(byte[] bytes)
    {
        var name = $"uploads/{Guid.NewGuid():N}";
        var staging = fixture.SiloService<BlobServiceClient>().GetBlobContainerClient(PixerveConfiguration.StagingContainer);
        // The gateway makes the container with its first upload; this test may be the first to stage anything.
        await staging.CreateIfNotExistsAsync();
        await staging.UploadBlobAsync(name, new BinaryData(bytes));
        _staged.Add(name);
        return name;
    }

    /// <summary>What a queue worker does to start a job: holds the run, then asks the job to start it.</summary>
    private async Task<ConversionRequest?> StartAsync(IJobGrain job)
    {
        var run = fixture.SiloService<RunningConversions>().Hold(job.GetPrimaryKeyString());
        var request = await job.TryStart(Silo);
        if (request is null) run.Dispose();
        else _held.Add(job.GetPrimaryKeyString(), run);
        return request;
    }

    /// <summary>What a queue worker does when its run ends: reports it, then lets go of it.</summary>
    private async Task ReportAsync(IJobGrain job, ConversionResult result)
    {
        await job.Complete(result);
        if (_held.Remove(job.GetPrimaryKeyString(), out var run)) run.Dispose();
    }

    private static async Task<JobSnapshot> SnapshotAsync(IJobGrain job) =>
        await job.GetSnapshot() ?? throw new Xunit.Sdk.XunitException("the job has no record");
}
