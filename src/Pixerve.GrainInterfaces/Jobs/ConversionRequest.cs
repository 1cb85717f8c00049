namespace Pixerve;

[GenerateSerializer, Alias("pixerve.ConversionRequest"), Immutable]
public sealed record ConversionRequest(
    [property: Id(0)] string Hash,
    [property: Id(1)] JobSubmission Submission);
