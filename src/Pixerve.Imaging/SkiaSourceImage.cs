using SkiaSharp;

namespace Pixerve.Imaging;

/// <summary>JPEG, PNG, GIF (first frame) and WebP through SkiaSharp, with DCT scaling for JPEG.</summary>
public sealed class SkiaSourceImage : SourceImage
{
    private readonly SKData _data;
    private readonly SKCodec _codec;

    /// <param name="expected">The sniffed format: a codec Skia picks for another format is refused.</param>
    public SkiaSourceImage(ReadOnlyMemory<byte> source, SourceFormat expected)
    {
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
        SourceFormat.Jpeg => SKEncodedImageFormat.Jpeg,
        SourceFormat.Png => SKEncodedImageFormat.Png,
        SourceFormat.Gif => SKEncodedImageFormat.Gif,
        SourceFormat.Webp => SKEncodedImageFormat.Webp,
        _ => null,
    };

    public override int Width => _codec.Info.Width;

    public override int Height => _codec.Info.Height;

    public override SKEncodedOrigin Origin => _codec.EncodedOrigin;

    /// <summary>Decodes into sRGB at the smallest scale the codec supports that still covers the needed size (JPEG DCT scaling).</summary>
    public override SKBitmap Decode(int needWidth, int needHeight)
    {
        var size = _codec.Info.Size;
        for (var eighths = 1; eighths < 8; eighths++)
        {
            var candidate = _codec.GetScaledDimensions(eighths / 8f);
            if (candidate.Width >= needWidth && candidate.Height >= needHeight && candidate.Width < size.Width)
            {
                size = candidate;
                break;
            }
        }

        var alpha = _codec.Info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul;
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, alpha, SKColorSpace.CreateSrgb());
        var bitmap = new SKBitmap(info);
        var result = _codec.GetPixels(info, bitmap.GetPixels());
        if (result is SKCodecResult.Success) return bitmap;

        bitmap.Dispose();
        throw new UndecodableImageException($"source is not a decodable image: {Describe(result)}");
    }

    public override void Dispose()
    {
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
