namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>The source image as its job's converter saw it, and the placeholders made from it.</summary>
/// <param name="Format">The sniffed format as its file extension: <c>jpg</c>, <c>png</c>, <c>gif</c>, <c>webp</c>, <c>avif</c>, <c>heic</c>.</param>
/// <param name="Width">After the EXIF orientation is applied.</param>
/// <param name="Height">After the EXIF orientation is applied.</param>
/// <param name="DominantColor"><c>#rrggbb</c>; null for a wholly transparent image.</param>
/// <param name="Thumbhash">ThumbHash bytes, base64 with padding.</param>
/// <param name="Blurhash">BlurHash, 4×3 components.</param>
/// <param name="Frames">1 for a still image.</param>
[GenerateSerializer, Alias("pixerve.SourceInfo"), Immutable]
public sealed record SourceInfo(
    [property: Id(0)] string Format,
    [property: Id(1)] int Width,
    [property: Id(2)] int Height,
    [property: Id(3)] bool HasAlpha,
    [property: Id(4)] string? DominantColor,
    [property: Id(5)] string Thumbhash,
    [property: Id(6)] string Blurhash,
    [property: Id(7)] int Frames);
