using NetVips;
using SkiaSharp;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging;

/// <summary>
/// PNG, GIF (first frame) and WebP through SkiaSharp, whose decoders measured faster than libvips' for these
/// (bench/README.md); WebP scales on decode. The pixels are decoded into sRGB with straight alpha and handed to
/// libvips without a copy for everything after.
/// </summary>
public sealed class SkiaSourceImage : SourceImage
{
    private readonly SKData _data;
    private readonly SKCodec _codec;
    private readonly List<IDisposable> _decodes = [];

    /// <param name="expected">The sniffed format: a codec Skia picks for another format is refused.</param>
    public SkiaSourceImage(ReadOnlyMemory<byte> source, SourceFormat expected)
    {
        LibVips.EnsureConfigured();
        _data = SKData.CreateCopy(source.Span);
        // Skia owns the stream from here: the codec keeps it, or a failed create deletes it at once.
        var codec = SKCodec.Create(new SKMemoryStream(_data), out var result);
        if (codec is null)
        {
            _data.Dispose();
            throw new UndecodableImageException($"source is not a decodable image: {Describe(result)}");
        }

        if (codec.EncodedFormat != SkiaFormat(expected))
        {
            codec.Dispose();
            _data.Dispose();
            throw new UndecodableImageException($"source is not a decodable image: sniffed as {expected}, decoded as {codec.EncodedFormat}");
        }

        _codec = codec;
    }

    private static SKEncodedImageFormat? SkiaFormat(SourceFormat format) => format switch
    {
        SourceFormat.Png => SKEncodedImageFormat.Png,
        SourceFormat.Gif => SKEncodedImageFormat.Gif,
        SourceFormat.Webp => SKEncodedImageFormat.Webp,
        _ => null,
    };

    public override int Width => _codec.Info.Width;

    public override int Height => _codec.Info.Height;

    public override int Orientation => Math.Clamp((int)_codec.EncodedOrigin, 1, 8);

    /// <summary>Decodes at the smallest scale the codec supports that still covers the needed size (WebP only).</summary>
    public override Image Decode(int needWidth, int needHeight)
    {
        var size = _codec.Info.Size;
        if (_codec.EncodedFormat == SKEncodedImageFormat.Webp)
        {
            for (var eighths = 1; eighths < 8; eighths++)
            {
                var candidate = _codec.GetScaledDimensions(eighths / 8f);
                if (candidate.Width >= needWidth && candidate.Height >= needHeight && candidate.Width < size.Width)
                {
                    size = candidate;
                    break;
                }
            }
        }

        var opaque = _codec.Info.AlphaType == SKAlphaType.Opaque;
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul,
            SKColorSpace.CreateSrgb());
        var bitmap = new SKBitmap(info);
        var result = _codec.GetPixels(info, bitmap.GetPixels());
        if (result is not SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new UndecodableImageException($"source is not a decodable image: {Describe(result)}");
        }

        return Wrap(bitmap, opaque, _decodes);
    }

    /// <summary>
    /// Hands an sRGB RGBA8 bitmap with straight alpha to libvips without a copy. Both go into
    /// <paramref name="owned"/>, to be disposed in reverse order (the image points into the bitmap).
    /// </summary>
    internal static Image Wrap(SKBitmap bitmap, bool opaque, List<IDisposable> owned)
    {
        owned.Add(bitmap);
        // libvips reads the bitmap's memory in place (it lives until this source is disposed). Raw memory is
        // "multiband" to libvips, whose savers would then drop the fourth band instead of treating it as alpha:
        // say it is sRGB (a header change, no copy). An opaque image goes on without its alpha band.
        using var memory = Image.NewFromMemory(bitmap.GetPixels(), (ulong)bitmap.ByteCount, bitmap.Width, bitmap.Height, 4, Enums.BandFormat.Uchar);
        using var rgba = memory.Copy(interpretation: Enums.Interpretation.Srgb);
        var image = opaque ? rgba.ExtractBand(0, n: 3) : rgba.Copy();
        owned.Add(image);
        return image;
    }

    public override void Dispose()
    {
        // Images first: they point into the bitmaps.
        foreach (var decode in Enumerable.Reverse(_decodes)) decode.Dispose();
        _codec.Dispose();
        _data.Dispose();
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => "the file is truncated or corrupt",
        SKCodecResult.Unimplemented => "this variant of the format is not supported",
        SKCodecResult.InvalidInput => "the file is corrupt",
        _ => $"the decoder reported {result}",
    };
}
