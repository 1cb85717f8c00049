using Orleans.Concurrency;

namespace Pixerve;

/// <summary>
/// One job per (content, requested work), keyed by its job id (<see cref="JobIdentity"/>). Jobs written before
/// ids existed are keyed by their content hash.
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

    /// <summary>The run broke for a reason that may pass (a storage outage, a silo going away).</summary>
    [Alias("RunBroke")]
    Task RunBroke(JobError error);

    [CallableFromGateway, Alias("Cancel")]
    Task<CancelOutcome> Cancel();

    /// <summary>Null when no job was ever submitted under this id.</summary>
    [AlwaysInterleave, CallableFromGateway, Alias("GetSnapshot")]
    Task<JobSnapshot?> GetSnapshot();

    /// <summary>
    /// Subscribes <paramref name="observer"/> to the job's changes, or renews its subscription (which expires after
    /// a minute unrenewed), and answers the job as it stands; null when there is no job (then nothing is subscribed).
    /// </summary>
    [AlwaysInterleave, CallableFromGateway, Alias("Watch")]
    Task<JobSnapshot?> Watch(IJobObserver observer);

    [AlwaysInterleave, CallableFromGateway, Alias("Unwatch")]
    Task Unwatch(IJobObserver observer);

    /// <summary>Forgets the job if it ended before <paramref name="cutoff"/>; true when it did.</summary>
    [Alias("Expire")]
    Task<bool> Expire(DateTimeOffset cutoff);
}
