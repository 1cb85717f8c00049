namespace Pixerve.Imaging;

/// <summary>
/// The upright source scaled to fit inside <see cref="MaxSide"/>×<see cref="MaxSide"/> (never enlarged): sRGB,
/// 8-bit RGBA rows with straight (not premultiplied) alpha, <c>Width × Height × 4</c> bytes. ThumbHash takes at most
/// 100×100, which fixes the size.
/// </summary>
public sealed record SourcePreview(int Width, int Height, byte[] Rgba)
{
    public const int MaxSide = 100;
}
