namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>Either the stored files or, when the source cannot be converted or stored, why.</summary>
/// <param name="Error">The safe message of <see cref="Failure"/>.</param>
[GenerateSerializer, Alias("pixerve.ConversionResult"), Immutable]
public sealed record ConversionResult(
    [property: Id(0)] IReadOnlyList<StoredFile> Files,
    [property: Id(1)] string? Error)
{
    /// <summary>The source's description and placeholders; null when it could not be decoded.</summary>
    [Id(2)] public SourceInfo? Source { get; init; }

    /// <summary>Every output made, in plan order, once each whatever the number of backends.</summary>
    [Id(3)] public IReadOnlyList<OutputInfo> Outputs { get; init; } = [];

    /// <summary>Why the job failed, safe and in full; null when it did not.</summary>
    [Id(4)] public JobError? Failure { get; init; }

    /// <summary>The files stored and, when the job failed, why.</summary>
    public static ConversionResult Of(IReadOnlyList<StoredFile> files, JobError? failure) =>
        new(files, failure?.Message) { Failure = failure };
}
