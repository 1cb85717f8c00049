namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>One run of a job, kept in its record's history: when and where it ran and how it ended.</summary>
/// <param name="Outcome">One of <see cref="JobAttemptOutcome"/>.</param>
[GenerateSerializer, Alias("pixerve.JobAttempt"), Immutable]
public sealed record JobAttempt(
    [property: Id(0)] int Number,
    [property: Id(1)] DateTimeOffset StartedAt,
    [property: Id(2)] DateTimeOffset EndedAt,
    [property: Id(3)] string? Silo,
    [property: Id(4)] string Outcome,
    [property: Id(5)] JobError? Failure);

/// <summary>The values of <see cref="JobAttempt.Outcome"/>, as the API spells them.</summary>
public static class JobAttemptOutcome
{
    public const string Completed = "completed";
    public const string Failed = "failed";

    /// <summary>Broke for a reason outside the image (storage, a lost silo): run again, or failed after the last attempt.</summary>
    public const string Broke = "broke";

    /// <summary>Its silo stopped before it finished: handed back to the queue, run elsewhere.</summary>
    public const string HandedBack = "handed_back";

    /// <summary>Lost with its silo (a kill): found by the staging sweep and run again.</summary>
    public const string Lost = "lost";
}
