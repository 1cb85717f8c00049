namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>One output as it was made, whatever backends it went to.</summary>
/// <param name="Format">The job's format key: <c>jpg</c>, <c>png</c>, <c>webp</c>, <c>avif</c>, <c>gif</c> or <c>original</c>.</param>
/// <param name="Width">The real pixel size, after orientation and fitting.</param>
[GenerateSerializer, Alias("pixerve.OutputInfo"), Immutable]
public sealed record OutputInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Format,
    [property: Id(2)] int Width,
    [property: Id(3)] int Height,
    [property: Id(4)] long Bytes);
