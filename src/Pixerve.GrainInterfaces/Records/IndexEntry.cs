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
    /// <summary>Null in entries written before jobs had ids of their own: those jobs are keyed by their hash.</summary>
    [Id(5)] public string? JobId { get; init; }

    /// <summary>The failure behind <see cref="Error"/> (its safe message), with its detail: the lists are the admin's.</summary>
    [Id(6)] public JobError? Failure { get; init; }

    public string Key => JobId ?? Hash;
}
