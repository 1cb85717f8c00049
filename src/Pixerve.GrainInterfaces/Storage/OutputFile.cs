using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.GrainInterfaces.Storage;

/// <summary>One encoded output. Immutable, so a local grain call passes the bytes by reference.</summary>
[GenerateSerializer, Alias("pixerve.OutputFile"), Immutable]
public sealed record OutputFile(
    [property: Id(0)] string Name,
    [property: Id(1)] string ContentType,
    [property: Id(2)] ReadOnlyMemory<byte> Bytes,
    [property: Id(3)] int Width,
    [property: Id(4)] int Height)
{
    /// <summary>The output's <see cref="OutputFingerprint"/>, kept beside the file where the backend has metadata.</summary>
    [Id(5)] public string? Fingerprint { get; init; }
}
