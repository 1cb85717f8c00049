namespace Pixerve.Imaging.Placeholders;

/// <summary>What a page shows while an image loads, all made from the source's small preview.</summary>
/// <param name="ThumbHash">Base64 with padding.</param>
/// <param name="BlurHash">4×3 components.</param>
/// <param name="DominantColor"><c>#rrggbb</c>, or null for a wholly transparent image.</param>
public sealed record ImagePlaceholders(string ThumbHash, string BlurHash, string? DominantColor)
{
    public const int BlurHashComponentsX = 4;
    public const int BlurHashComponentsY = 3;

    public static ImagePlaceholders From(SourcePreview preview) => new(
        Placeholders.ThumbHash.Encode(preview.Width, preview.Height, preview.Rgba),
        Placeholders.BlurHash.Encode(preview.Rgba, preview.Width, preview.Height, BlurHashComponentsX, BlurHashComponentsY),
        Placeholders.DominantColor.Of(preview.Rgba));
}
