using NetVips;
using SkiaSharp;

namespace Pixerve.Grains.Imaging;

/// <summary>
/// AVIF through libvips (libheif + aom), because SkiaSharp cannot encode AVIF. The resized pixels are handed
/// to libvips without a copy and encoded with AV1; metadata is never written.
/// </summary>
public static class AvifEncoder
{
    public const int DefaultQuality = 60;

    /// <summary>Speed 8 ≈ libvips effort 2: a few hundred ms for a web-sized image, where effort 4 costs ~3×.</summary>
    public const int DefaultSpeed = 8;

    public static byte[] Encode(SKBitmap bitmap, int? quality, int? speed)
    {
        LibVips.EnsureConfigured();
        using var straight = Unpremultiplied(bitmap);
        var pixels = straight ?? bitmap;
        if (pixels.RowBytes != pixels.Width * 4 || pixels.ColorType != SKColorType.Rgba8888)
            throw new InvalidOperationException($"expected tightly packed RGBA, got {pixels.ColorType} with {pixels.RowBytes} bytes a row");

        using var rgba = Image.NewFromMemory(pixels.GetPixels(), (ulong)pixels.ByteCount, pixels.Width, pixels.Height, 4, Enums.BandFormat.Uchar);
        // An opaque image encodes without an alpha plane: smaller and faster.
        using var bands = bitmap.AlphaType == SKAlphaType.Opaque ? rgba.ExtractBand(0, n: 3) : null;
        var image = bands ?? rgba;
        return image.HeifsaveBuffer(
            q: quality ?? DefaultQuality,
            effort: Effort(speed),
            compression: Enums.ForeignHeifCompression.Av1,
            subsampleMode: Enums.ForeignSubsample.Auto,
            keep: Enums.ForeignKeep.None);
    }

    /// <summary>Speed 0–10 maps to libvips effort 9–0: higher speed means less effort.</summary>
    public static int Effort(int? speed) => Math.Clamp((int)Math.Round((10 - (speed ?? DefaultSpeed)) * 0.9, MidpointRounding.AwayFromZero), 0, 9);

    /// <summary>libvips expects straight alpha; SkiaSharp decodes translucent images premultiplied.</summary>
    private static SKBitmap? Unpremultiplied(SKBitmap bitmap)
    {
        if (bitmap.AlphaType != SKAlphaType.Premul) return null;
        var straight = new SKBitmap(bitmap.Info.WithAlphaType(SKAlphaType.Unpremul));
        using var pixmap = bitmap.PeekPixels();
        if (pixmap.ReadPixels(straight.Info, straight.GetPixels(), straight.RowBytes)) return straight;
        straight.Dispose();
        throw new InvalidOperationException("could not unpremultiply the pixels for AVIF");
    }
}
