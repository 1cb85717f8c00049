using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.GrainInterfaces.Storage;

/// <param name="Error">Why not every file was stored; null when they were.</param>
[GenerateSerializer, Alias("pixerve.StoreResult"), Immutable]
public sealed record StoreResult(
    [property: Id(0)] IReadOnlyList<StoredFile> Files,
    [property: Id(2)] JobError? Error);
