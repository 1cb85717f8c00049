using SkiaSharp;

namespace Pixerve.Imaging;

/// <summary>The one entry point for encoding an output: PNG through SkiaSharp, the lossy formats through libvips.</summary>
public static class Encoder
{
    public const int DefaultJpegQuality = 85;
    public const int DefaultWebpQuality = 80;

    /// <param name="avifGate">Bounds concurrent AVIF encodes, which cost several times a JPEG or WebP; null for none.</param>
    public static byte[] Encode(SKBitmap bitmap, PlannedOutput output, SemaphoreSlim? avifGate = null) => output.Format switch
    {
        OutputFormat.Jpg => VipsEncoders.Jpeg(bitmap, output.Quality ?? DefaultJpegQuality),
        OutputFormat.Webp => VipsEncoders.Webp(bitmap, output.Quality ?? DefaultWebpQuality, output.Speed),
        OutputFormat.Avif => EncodeAvif(bitmap, output, avifGate),
        OutputFormat.Gif => VipsEncoders.Gif(bitmap),
        OutputFormat.Png => EncodePng(bitmap, new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, PngZlibLevel(output.Speed))),
        _ => throw new NotSupportedException($"{output.Format} is not an encoded format"),
    };

    private static byte[] EncodeAvif(SKBitmap bitmap, PlannedOutput output, SemaphoreSlim? gate)
    {
        gate?.Wait();
        try
        {
            return VipsEncoders.Avif(bitmap, output.Quality, output.Speed);
        }
        finally
        {
            gate?.Release();
        }
    }

    /// <summary>Speed 0–10 (default 5) maps to zlib level 9–0: slower means smaller.</summary>
    private static int PngZlibLevel(int? speed) => Math.Clamp(9 - (int)Math.Round((speed ?? 5) * 0.9), 0, 9);

    private static byte[] EncodePng(SKBitmap bitmap, SKPngEncoderOptions options)
    {
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(options) ?? throw new InvalidOperationException("PNG encoder returned nothing");
        return data.ToArray();
    }
}
