using Orleans.Concurrency;

namespace Pixerve;

[GenerateSerializer, Alias("pixerve.StoreResult"), Immutable]
public sealed record StoreResult(
    [property: Id(0)] IReadOnlyList<StoredFile> Files,
    [property: Id(1)] string? Error);
