using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>An upload that has been staged and is handed to its job.</summary>
/// <param name="Hash">The content hash (SHA-256 of the bytes); the job's own key is its job id.</param>
/// <param name="SpecJson">The token's job claim as sent, kept for the records' <c>job_data</c>.</param>
[GenerateSerializer, Alias("pixerve.JobSubmission"), Immutable]
public sealed record JobSubmission(
    [property: Id(6)] string Hash,
    [property: Id(0)] JobSpec Spec,
    [property: Id(1)] string StagedBlob,
    [property: Id(2)] string BaseName,
    [property: Id(3)] SourceFormat SourceFormat,
    [property: Id(4)] long SourceLength,
    [property: Id(5)] string SpecJson = "{}")
{
    /// <summary>The upload's trace context (W3C <c>traceparent</c>), so the conversion continues its trace.</summary>
    [Id(7)] public string? TraceParent { get; init; }

    /// <summary>The uploading token's <c>sub</c> (empty without one): the job is this subject's, part of its id.</summary>
    [Id(8)] public string Subject { get; init; } = "";
}
