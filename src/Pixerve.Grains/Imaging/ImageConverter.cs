using SkiaSharp;

namespace Pixerve.Grains.Imaging;

/// <summary>
/// Decodes a source once, at the smallest scale the largest output needs, and produces every planned output.
/// CPU-bound and synchronous: callers run it off the grain scheduler.
/// </summary>
public sealed class ImageConverter(ImagingOptions options)
{
    public const long MaxSourcePixels = 50_000_000;
    private static readonly SKSamplingOptions Halving = new(SKFilterMode.Linear, SKMipmapMode.None);
    private static readonly SKSamplingOptions FinalResample = new(SKCubicResampler.Mitchell);

    private readonly SemaphoreSlim _avifGate = new(Math.Max(1, options.AvifConcurrency));

    public ImageConverter() : this(new ImagingOptions())
    {
    }

    public IReadOnlyList<EncodedOutput> Convert(ReadOnlyMemory<byte> source, IReadOnlyList<PlannedOutput> plan)
    {
        var outputs = new List<EncodedOutput>(plan.Count);
        var resized = plan.Where(p => p.Box is not null).ToList();
        if (resized.Count == 0)
            return plan.Select(p => new EncodedOutput(p, source, 0, 0)).ToList();

        using var data = SKData.CreateCopy(source.Span);
        using var codec = SKCodec.Create(new SKMemoryStream(data), out var createResult)
            ?? throw new UndecodableImageException($"source is not a decodable image: {Describe(createResult)}");
        var origin = codec.EncodedOrigin;
        var swap = Orientation.SwapsAxes(origin);
        var (sourceWidth, sourceHeight) = (codec.Info.Width, codec.Info.Height);
        if ((long)sourceWidth * sourceHeight > MaxSourcePixels)
            throw new UndecodableImageException(
                $"source is {sourceWidth}×{sourceHeight} pixels, more than the limit of {MaxSourcePixels / 1_000_000} megapixels");
        var (orientedWidth, orientedHeight) = swap ? (sourceHeight, sourceWidth) : (sourceWidth, sourceHeight);

        var targets = resized.ToDictionary(p => p, p => Fit.Inside(orientedWidth, orientedHeight, p.Box!.Value));
        var needWidth = targets.Values.Max(t => swap ? t.Height : t.Width);
        var needHeight = targets.Values.Max(t => swap ? t.Width : t.Height);

        using var decoded = Decode(codec, needWidth, needHeight);
        foreach (var output in plan)
        {
            if (output.Box is null)
            {
                outputs.Add(new EncodedOutput(output, source, orientedWidth, orientedHeight));
                continue;
            }

            var (width, height) = targets[output];
            var (unorientedWidth, unorientedHeight) = swap ? (height, width) : (width, height);
            var scaled = Resize(decoded, unorientedWidth, unorientedHeight);
            var oriented = Orientation.Apply(scaled, origin);
            try
            {
                outputs.Add(new EncodedOutput(output, Encoder.Encode(oriented, output, _avifGate), oriented.Width, oriented.Height));
            }
            finally
            {
                if (!ReferenceEquals(oriented, scaled)) oriented.Dispose();
                if (!ReferenceEquals(scaled, decoded)) scaled.Dispose();
            }
        }

        return outputs;
    }

    /// <summary>Decodes into sRGB at the smallest scale the codec supports that still covers the needed size (JPEG DCT scaling).</summary>
    private static SKBitmap Decode(SKCodec codec, int needWidth, int needHeight)
    {
        var size = codec.Info.Size;
        for (var eighths = 1; eighths < 8; eighths++)
        {
            var candidate = codec.GetScaledDimensions(eighths / 8f);
            if (candidate.Width >= needWidth && candidate.Height >= needHeight && candidate.Width < size.Width)
            {
                size = candidate;
                break;
            }
        }

        var alpha = codec.Info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul;
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, alpha, SKColorSpace.CreateSrgb());
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is SKCodecResult.Success) return bitmap;

        bitmap.Dispose();
        throw new UndecodableImageException($"source is not a decodable image: {Describe(result)}");
    }

    /// <summary>Halves with a 2×2 box while the image is at least twice the target, then resamples with Mitchell cubic.</summary>
    private static SKBitmap Resize(SKBitmap source, int width, int height)
    {
        if (source.Width == width && source.Height == height) return source;

        var current = source;
        while (current.Width >= 2 * width && current.Height >= 2 * height && current.Width >= 4)
        {
            var half = new SKBitmap(current.Info.WithSize(current.Width / 2, current.Height / 2));
            current.ScalePixels(half, Halving);
            if (!ReferenceEquals(current, source)) current.Dispose();
            current = half;
        }

        if (current.Width == width && current.Height == height) return current;
        var result = new SKBitmap(current.Info.WithSize(width, height));
        current.ScalePixels(result, FinalResample);
        if (!ReferenceEquals(current, source)) current.Dispose();
        return result;
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => "the file is truncated or corrupt",
        SKCodecResult.Unimplemented => "this variant of the format is not supported",
        SKCodecResult.InvalidInput => "the file is corrupt",
        _ => $"the decoder reported {result}",
    };
}
