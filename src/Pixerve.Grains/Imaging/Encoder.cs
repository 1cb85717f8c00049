using SkiaSharp;

namespace Pixerve.Grains.Imaging;

public static class Encoder
{
    public const int DefaultJpegQuality = 85;
    public const int DefaultWebpQuality = 80;

    /// <param name="avifGate">Bounds concurrent AVIF encodes, which cost several times a JPEG or WebP; null for none.</param>
    public static byte[] Encode(SKBitmap bitmap, PlannedOutput output, SemaphoreSlim? avifGate = null)
    {
        if (output.Format == OutputFormat.Avif) return EncodeAvif(bitmap, output, avifGate);
        return output.Format switch
        {
            OutputFormat.Jpg => EncodeJpeg(bitmap, output.Quality ?? DefaultJpegQuality),
            OutputFormat.Png => EncodeWith(bitmap, new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, PngZlibLevel(output.Speed))),
            OutputFormat.Webp => EncodeWith(bitmap, new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, output.Quality ?? DefaultWebpQuality)),
            _ => throw new NotSupportedException($"{output.Format} is not encoded by SkiaSharp"),
        };
    }

    private static byte[] EncodeAvif(SKBitmap bitmap, PlannedOutput output, SemaphoreSlim? gate)
    {
        gate?.Wait();
        try
        {
            return AvifEncoder.Encode(bitmap, output.Quality, output.Speed);
        }
        finally
        {
            gate?.Release();
        }
    }

    /// <summary>JPEG has no alpha: translucent pixels are flattened on white, as a viewer would show them on a page.</summary>
    private static byte[] EncodeJpeg(SKBitmap bitmap, int quality)
    {
        var options = new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore);
        if (bitmap.AlphaType == SKAlphaType.Opaque) return EncodeWith(bitmap, options);

        using var flat = new SKBitmap(bitmap.Info.WithAlphaType(SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(flat))
        {
            canvas.Clear(SKColors.White);
            canvas.DrawBitmap(bitmap, 0, 0, SKSamplingOptions.Default);
        }

        return EncodeWith(flat, options);
    }

    /// <summary>Speed 0–10 (default 5) maps to zlib level 9–0: slower means smaller.</summary>
    private static int PngZlibLevel(int? speed) => Math.Clamp(9 - (int)Math.Round((speed ?? 5) * 0.9), 0, 9);

    private static byte[] EncodeWith(SKBitmap bitmap, SKJpegEncoderOptions options)
    {
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(options) ?? throw new InvalidOperationException("JPEG encoder returned nothing");
        return data.ToArray();
    }

    private static byte[] EncodeWith(SKBitmap bitmap, SKPngEncoderOptions options)
    {
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(options) ?? throw new InvalidOperationException("PNG encoder returned nothing");
        return data.ToArray();
    }

    private static byte[] EncodeWith(SKBitmap bitmap, SKWebpEncoderOptions options)
    {
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(options) ?? throw new InvalidOperationException("WebP encoder returned nothing");
        return data.ToArray();
    }
}
