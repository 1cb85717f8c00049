using Orleans.Concurrency;

namespace Pixerve;

/// <summary>One job per uploaded content, keyed by the lowercase SHA-256 hex of its bytes.</summary>
[Alias("pixerve.IJobGrain")]
public interface IJobGrain : IGrainWithStringKey
{
    [Alias("Submit")]
    Task<SubmitOutcome> Submit(JobSubmission submission);

    /// <summary>Null when no job was ever submitted for this hash.</summary>
    [AlwaysInterleave, Alias("GetSnapshot")]
    Task<JobSnapshot?> GetSnapshot();
}
