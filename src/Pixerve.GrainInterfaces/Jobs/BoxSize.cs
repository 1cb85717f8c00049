namespace Pixerve;

/// <summary>A box the image is fitted inside, aspect kept, never upscaled.</summary>
[GenerateSerializer, Alias("pixerve.BoxSize"), Immutable]
public readonly record struct BoxSize([property: Id(0)] int Width, [property: Id(1)] int Height);
