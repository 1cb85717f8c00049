using SkiaSharp;

namespace Pixerve.Imaging;

/// <summary>
/// A source opened for decoding: its stored size and orientation are known before any pixel is decoded, so
/// the pixel limit is checked and the decode scale chosen first.
/// </summary>
public abstract class SourceImage : IDisposable
{
    /// <summary>Stored size, before the orientation is applied.</summary>
    public abstract int Width { get; }

    public abstract int Height { get; }

    public abstract SKEncodedOrigin Origin { get; }

    /// <summary>sRGB RGBA pixels, premultiplied unless opaque, at least <paramref name="needWidth"/>×<paramref name="needHeight"/> when the decoder can scale.</summary>
    public abstract SKBitmap Decode(int needWidth, int needHeight);

    public abstract void Dispose();

    /// <summary>AVIF goes to libvips (SkiaSharp has no AVIF decoder); everything else to SkiaSharp's codecs.</summary>
    public static SourceImage Open(ReadOnlyMemory<byte> source) =>
        IsAvif(source.Span) ? new VipsSourceImage(source) : new SkiaSourceImage(source);

    private static bool IsAvif(ReadOnlySpan<byte> bytes) => bytes.Length >= 12 && bytes[4..12].SequenceEqual("ftypavif"u8);
}
