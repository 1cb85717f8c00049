using Orleans.Concurrency;

namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>
/// One job per (content, requested work), keyed by its job id (<see cref="JobIdentity"/>).
/// </summary>
[Alias("pixerve.IJobGrain")]
public interface IJobGrain : IGrainWithStringKey
{
    [CallableFromGateway, Alias("Submit")]
    Task<SubmitResult> Submit(JobSubmission submission);

    /// <summary>Called by a queue worker on <paramref name="silo"/>: pending → processing. Null when the job is no longer pending.</summary>
    [Alias("TryStart")]
    Task<ConversionRequest?> TryStart(string silo);

    /// <summary>Records the outcome of the run started by <see cref="TryStart"/>.</summary>
    [Alias("Complete")]
    Task Complete(ConversionResult result);

    /// <summary>
    /// The running conversion made the source's description or one output (see <see cref="ConversionProgress"/>):
    /// held in memory for watchers and status reads, not written (the final record has it all). Ignored unless it is
    /// of the job's running attempt and run; one-way, so a converter never waits on the job.
    /// </summary>
    [OneWay, Alias("Progress")]
    Task Progress(ConversionProgress report);

    /// <summary>The run broke for a reason that may pass (a storage outage, a silo going away).</summary>
    [Alias("RunBroke")]
    Task RunBroke(JobError error);

    /// <summary>
    /// The run could not finish because its silo is stopping past its grace: the job is pending again and goes to
    /// another silo at once. Not counted against <c>Pixerve:Jobs:MaxAttempts</c>: nothing went wrong with the job.
    /// </summary>
    [Alias("HandBack")]
    Task HandBack(JobError reason);

    /// <summary>A stopping silo gives back a job queued on it: the job moves to another silo and is queued there.</summary>
    [Alias("HandOff")]
    Task HandOff();

    [CallableFromGateway, Alias("Cancel")]
    Task<CancelOutcome> Cancel();

    /// <summary>Runs a failed job again from its kept original (the dead-letter queue's retry).</summary>
    [CallableFromGateway, Alias("Retry")]
    Task<RetryOutcome> Retry();

    /// <summary>
    /// The staging sweep asks how the job uses the staged upload <paramref name="stagedBlob"/>. Being asked also
    /// resumes the job: a job that is not final is queued or running somewhere afterwards (a job whose silo died is
    /// queued again), and a final job's work left is handed over. This is how a job outlives its silo.
    /// </summary>
    [Alias("UseOf")]
    Task<StagedUploadUse> UseOf(string stagedBlob);

    /// <summary>
    /// Makes sure the job goes on: queued or running somewhere when it is not final, its work left handed over when it
    /// is. A status read that brought the job's grain back asks this of it, in a turn of its own.
    /// </summary>
    [Alias("Resume")]
    Task Resume();

    /// <summary>Null when no job was ever submitted under this id.</summary>
    [AlwaysInterleave, CallableFromGateway, Alias("GetSnapshot")]
    Task<JobSnapshot?> GetSnapshot();

    /// <summary>
    /// The outputs made so far in plan order from index <paramref name="from"/> on, at most a page of them (ask again
    /// from past the last for more): the running attempt's, or the final record's. A stream sends each as it learns of
    /// it from <see cref="JobSnapshot.OutputsDone"/>; a notification carries only the count.
    /// </summary>
    [AlwaysInterleave, CallableFromGateway, Alias("GetOutputsDone")]
    Task<IReadOnlyList<OutputInfo>> GetOutputsDone(int from);

    /// <summary>
    /// Subscribes <paramref name="observer"/> to the job's changes, or renews its subscription (which expires after
    /// a minute unrenewed), and answers the job as it stands; null when there is no job (then nothing is subscribed).
    /// </summary>
    [AlwaysInterleave, CallableFromGateway, Alias("Watch")]
    Task<JobSnapshot?> Watch(IJobObserver observer);

    [AlwaysInterleave, CallableFromGateway, Alias("Unwatch")]
    Task Unwatch(IJobObserver observer);

    /// <summary>The silo's outbox worker reports what it did of the job's outbox and webhook (see <see cref="OutboxReport"/>).</summary>
    [Alias("OutboxDone")]
    Task OutboxDone(OutboxReport report);

    /// <summary>
    /// Forgets the job if it ended before <paramref name="cutoff"/> (or has no record), answering its stored files so
    /// retention can delete the served ones without asking for them first.
    /// </summary>
    [Alias("Expire")]
    Task<JobExpiry> Expire(DateTimeOffset cutoff);
}

/// <param name="Expired">The record is gone (or never was).</param>
/// <param name="Files">The files the expired job had stored; empty when it was not expired.</param>
[GenerateSerializer, Alias("pixerve.JobExpiry"), Immutable]
public sealed record JobExpiry([property: Id(0)] bool Expired, [property: Id(1)] IReadOnlyList<StoredFile> Files)
{
    public static JobExpiry Kept { get; } = new(false, []);
}
