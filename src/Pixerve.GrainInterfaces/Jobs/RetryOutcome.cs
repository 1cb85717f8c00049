namespace Pixerve.GrainInterfaces.Jobs;

[GenerateSerializer, Alias("pixerve.RetryOutcome")]
public enum RetryOutcome
{
    /// <summary>The failed job is pending again.</summary>
    Queued,
    NotFound,
    /// <summary>Only a failed job is retried; this one is pending, running, completed or cancelled.</summary>
    NotFailed,
    /// <summary>It has been retried <c>Pixerve:Jobs:MaxRetries</c> times already.</summary>
    TooManyRetries,
    /// <summary>Its original is no longer kept (retention expired it): only a new upload brings the bytes back.</summary>
    OriginalGone,
}
