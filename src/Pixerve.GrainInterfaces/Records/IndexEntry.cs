using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.GrainInterfaces.Records;

[GenerateSerializer, Alias("pixerve.IndexEntry"), Immutable]
public sealed record IndexEntry(
    [property: Id(0)] string Hash,
    [property: Id(1)] IndexKind Kind,
    [property: Id(2)] DateTimeOffset Timestamp,
    [property: Id(3)] int FileCount,
    [property: Id(4)] string? Error)
{
    /// <summary>The job's id, the entry's key in its day.</summary>
    [Id(5)] public required string JobId { get; init; }

    /// <summary>The failure behind <see cref="Error"/> (its safe message), with its detail: the lists are the admin's.</summary>
    [Id(6)] public JobError? Failure { get; init; }
}
