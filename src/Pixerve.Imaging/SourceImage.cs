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

    /// <summary>
    /// The source goes to the decoder of the format its bytes were sniffed as, never to a library's own detection:
    /// AVIF to libvips' heif loader (SkiaSharp has no AVIF decoder), HEIC to the system's libheif (the bundled
    /// libvips has no HEVC decoder), JPEG, PNG, GIF and WebP to SkiaSharp, whose
    /// codec must agree on the format.
    /// </summary>
    public static SourceImage Open(ReadOnlyMemory<byte> source) => ImageSniffer.Detect(source.Span) switch
    {
        SourceFormat.Avif => new VipsSourceImage(source),
        SourceFormat.Heic => new Heif.HeifSourceImage(source),
        { } format => new SkiaSourceImage(source, format),
        null => throw new UndecodableImageException("source is not a decodable image: not JPEG, PNG, GIF, WebP, AVIF or HEIC"),
    };
}
