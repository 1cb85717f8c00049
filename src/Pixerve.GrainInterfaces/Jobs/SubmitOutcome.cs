namespace Pixerve.GrainInterfaces.Jobs;

[GenerateSerializer, Alias("pixerve.SubmitOutcome")]
public enum SubmitOutcome
{
    /// <summary>A new run was queued; the job owns the staged blob now.</summary>
    Queued,
    /// <summary>
    /// The same work (same bytes, same claim) already has a job, pending, running or final: its record is kept
    /// as it is and the caller's staged blob is not needed.
    /// </summary>
    Exists,
    /// <summary>The silo's queue is full: the caller should answer 503 and drop its staged blob.</summary>
    Overloaded,
    /// <summary>
    /// Another job of the same bytes already stored files of some of these names in the same place with other
    /// settings (<see cref="SubmitResult.Conflicts"/>): nothing was written, the caller should answer 409 and drop
    /// its staged blob. Stored files are never replaced.
    /// </summary>
    Conflict,
}
