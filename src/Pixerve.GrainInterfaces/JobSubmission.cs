namespace Pixerve;

/// <summary>An upload that has been staged and is handed to its job.</summary>
[GenerateSerializer, Alias("pixerve.JobSubmission"), Immutable]
public sealed record JobSubmission(
    [property: Id(0)] JobSpec Spec,
    [property: Id(1)] string StagedBlob,
    [property: Id(2)] string BaseName,
    [property: Id(3)] SourceFormat SourceFormat,
    [property: Id(4)] long SourceLength);

[GenerateSerializer, Alias("pixerve.SubmitOutcome")]
public enum SubmitOutcome
{
    /// <summary>A new run was queued; the job owns the staged blob now.</summary>
    Queued,
    /// <summary>The same bytes are already pending or processing; the caller's staged blob is not needed.</summary>
    AlreadyActive,
}
