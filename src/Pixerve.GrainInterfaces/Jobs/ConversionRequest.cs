namespace Pixerve;

/// <param name="Plan">The job's outputs, as planned when it was submitted.</param>
[GenerateSerializer, Alias("pixerve.ConversionRequest"), Immutable]
public sealed record ConversionRequest(
    [property: Id(0)] string Hash,
    [property: Id(1)] JobSubmission Submission,
    [property: Id(2)] IReadOnlyList<PlannedOutput> Plan);
