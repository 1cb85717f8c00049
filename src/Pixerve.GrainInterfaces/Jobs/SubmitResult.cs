namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>What a submission came to, with the job's planned files and status, so the upload answer needs no other call.</summary>
[GenerateSerializer, Alias("pixerve.SubmitResult"), Immutable]
public sealed record SubmitResult(
    [property: Id(0)] SubmitOutcome Outcome,
    [property: Id(1)] IReadOnlyList<string> ExpectedFiles,
    [property: Id(2)] JobStatus Status)
{
    public static SubmitResult Overloaded { get; } = new(SubmitOutcome.Overloaded, [], JobStatus.Pending);

    /// <summary>For <see cref="SubmitOutcome.Conflict"/>: the planned file names that are taken, each once.</summary>
    [Id(3)] public IReadOnlyList<string> Conflicts { get; init; } = [];

    /// <summary>For <see cref="SubmitOutcome.Conflict"/>: why, in words the uploader can act on.</summary>
    [Id(4)] public string? Reason { get; init; }
}
