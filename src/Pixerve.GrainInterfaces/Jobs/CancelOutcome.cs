namespace Pixerve.GrainInterfaces.Jobs;

[GenerateSerializer, Alias("pixerve.CancelOutcome")]
public enum CancelOutcome
{
    Cancelled,
    NotFound,
    /// <summary>The job is no longer pending: it is running or final.</summary>
    NotPending,
}
