namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>One output and where it was stored.</summary>
[GenerateSerializer, Alias("pixerve.StoredFile"), Immutable]
public sealed record StoredFile(
    [property: Id(0)] string Name,
    [property: Id(1)] string Backend,
    [property: Id(2)] string Location,
    [property: Id(3)] long Bytes,
    [property: Id(4)] int Width,
    [property: Id(5)] int Height);
