using NetVips;
using Pixerve.Imaging.Inspection;
using Pixerve.Imaging.Inspection.Formats;

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

    /// <summary>The EXIF orientation, 1 (upright) to 8.</summary>
    public abstract int Orientation { get; }

    /// <summary>
    /// The pixels, in stored orientation, as a lazy libvips image: sRGB, 8-bit RGB or RGBA with straight alpha, at
    /// least <paramref name="needWidth"/>×<paramref name="needHeight"/> when the decoder can scale on load. Decoding
    /// happens when the image is first rendered: errors then are <see cref="VipsException"/>s, which
    /// <see cref="Undecodable"/> turns into the user's message. The image is valid while this source is.
    /// </summary>
    public abstract Image Decode(int needWidth, int needHeight);

    public abstract void Dispose();

    /// <summary>
    /// The source goes to the decoder of the format its bytes were sniffed as, never to a library's own detection:
    /// JPEG and AVIF to libvips' jpeg and heif loaders by name, HEIC to the system's libheif (the bundled libvips has
    /// no HEVC decoder), PNG, GIF and WebP to SkiaSharp (faster there; see bench/README.md), whose codec must agree
    /// on the format. <paramref name="maxPixels"/> goes to the decoders that take a limit of their own (libheif).
    /// </summary>
    public static SourceImage Open(ReadOnlyMemory<byte> source, long maxPixels = long.MaxValue) => ImageSniffer.Detect(source.Span) switch
    {
        SourceFormat.Avif => new VipsSourceImage(source, SourceFormat.Avif),
        SourceFormat.Jpeg => new VipsSourceImage(source, SourceFormat.Jpeg),
        SourceFormat.Heic => new Heif.HeifSourceImage(source, maxPixels),
        { } format => new SkiaSourceImage(source, format),
        null => throw new UndecodableImageException("source is not a decodable image: not JPEG, PNG, GIF, WebP, AVIF or HEIC"),
    };

    /// <summary>The user's message for a decoder's error.</summary>
    public static UndecodableImageException Undecodable(VipsException e) =>
        new($"source is not a decodable image: {e.Message.Split('\n', 2)[0].Trim()}");
}
