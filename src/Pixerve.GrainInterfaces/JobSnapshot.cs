namespace Pixerve;

[GenerateSerializer, Alias("pixerve.JobSnapshot"), Immutable]
public sealed record JobSnapshot(
    [property: Id(0)] string Hash,
    [property: Id(1)] JobStatus Status,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset UpdatedAt,
    [property: Id(4)] IReadOnlyList<string> ExpectedFiles,
    [property: Id(5)] IReadOnlyList<StoredFile> Files,
    [property: Id(6)] string? Error);

/// <summary>One output and where it was stored.</summary>
[GenerateSerializer, Alias("pixerve.StoredFile"), Immutable]
public sealed record StoredFile(
    [property: Id(0)] string Name,
    [property: Id(1)] string Backend,
    [property: Id(2)] string Location,
    [property: Id(3)] long Bytes,
    [property: Id(4)] int Width,
    [property: Id(5)] int Height);
