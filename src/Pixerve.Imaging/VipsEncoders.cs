using NetVips;

namespace Pixerve.Imaging;

/// <summary>
/// Every output through libvips' savers: JPEG (mozjpeg-style optimised Huffman tables), WebP, AVIF (libheif + aom)
/// and PNG (libspng; faster than SkiaSharp's at the same zlib level and filters, see bench/README.md). Images are
/// sRGB, 8-bit RGB or RGBA with straight alpha. Metadata is never written.
/// </summary>
public static class VipsEncoders
{
    public const int DefaultAvifQuality = 60;

    /// <summary>Speed 8 ≈ libvips effort 2: a few hundred ms for a web-sized image, where effort 4 costs ~3×.</summary>
    public const int DefaultAvifSpeed = 8;

    /// <summary>libwebp's own default method (effort) 4 ≈ speed 3.</summary>
    public const int DefaultWebpSpeed = 3;

    private static readonly double[] White = [255, 255, 255];

    public static byte[] Avif(Image image, int? quality, int? speed) =>
        image.HeifsaveBuffer(
            q: quality ?? DefaultAvifQuality,
            effort: AvifEffort(speed),
            compression: Enums.ForeignHeifCompression.Av1,
            subsampleMode: Enums.ForeignSubsample.Auto,
            keep: Enums.ForeignKeep.None);

    public static byte[] Webp(Image image, int quality, int? speed) =>
        image.WebpsaveBuffer(q: quality, effort: WebpEffort(speed), keep: Enums.ForeignKeep.None);

    /// <summary>A still GIF: libvips quantises to a 256-colour palette (one transparent) and dithers.</summary>
    public static byte[] Gif(Image image) => image.GifsaveBuffer(keep: Enums.ForeignKeep.None);

    /// <summary>JPEG has no alpha: translucent pixels are flattened on white, as a viewer would show them on a page.</summary>
    public static byte[] Jpeg(Image image, int quality)
    {
        using var flat = image.HasAlpha() ? image.Flatten(background: White) : null;
        // Chroma is subsampled 4:2:0 below quality 90 and kept whole from 90 on; Huffman tables are optimised.
        return (flat ?? image).JpegsaveBuffer(q: quality, optimizeCoding: true, subsampleMode: Enums.ForeignSubsample.Auto,
            keep: Enums.ForeignKeep.None);
    }

    /// <summary>Every row tries each PNG filter (adaptive), as SkiaSharp's encoder did: smaller files than no filter.</summary>
    public static byte[] Png(Image image, int? speed) =>
        image.PngsaveBuffer(compression: PngZlibLevel(speed), filter: Enums.ForeignPngFilter.All, keep: Enums.ForeignKeep.None);

    /// <summary>Speed 0–10 maps to libvips' AVIF effort 9–0: higher speed means less effort.</summary>
    public static int AvifEffort(int? speed) =>
        Math.Clamp((int)Math.Round((10 - (speed ?? DefaultAvifSpeed)) * 0.9, MidpointRounding.AwayFromZero), 0, 9);

    /// <summary>Speed 0–10 maps to libwebp's method 6–0.</summary>
    public static int WebpEffort(int? speed) =>
        Math.Clamp((int)Math.Round((10 - (speed ?? DefaultWebpSpeed)) * 0.6, MidpointRounding.AwayFromZero), 0, 6);

    /// <summary>Speed 0–10 (default 5) maps to zlib level 9–0: slower means smaller.</summary>
    public static int PngZlibLevel(int? speed) => Math.Clamp(9 - (int)Math.Round((speed ?? 5) * 0.9), 0, 9);
}
