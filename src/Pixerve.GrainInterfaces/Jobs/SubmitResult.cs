namespace Pixerve;

/// <summary>What a submission came to, with the job's planned files and status, so the upload answer needs no other call.</summary>
[GenerateSerializer, Alias("pixerve.SubmitResult"), Immutable]
public sealed record SubmitResult(
    [property: Id(0)] SubmitOutcome Outcome,
    [property: Id(1)] IReadOnlyList<string> ExpectedFiles,
    [property: Id(2)] JobStatus Status)
{
    public static SubmitResult Overloaded { get; } = new(SubmitOutcome.Overloaded, [], JobStatus.Pending);
}
