using System.Diagnostics;
using System.Runtime.ExceptionServices;
using SkiaSharp;

namespace Pixerve.Imaging;

/// <summary>
/// Decodes a source once, at the smallest scale the largest output needs, makes each distinct size from the
/// next larger one and encodes the outputs in parallel. CPU-bound and synchronous: callers run it off the
/// grain scheduler.
/// </summary>
public sealed class ImageConverter(ImagingOptions options)
{
    private static readonly SKSamplingOptions Halving = new(SKFilterMode.Linear, SKMipmapMode.None);
    private static readonly SKSamplingOptions FinalResample = new(SKCubicResampler.Mitchell);

    private readonly SemaphoreSlim _avifGate = new(Math.Max(1, options.AvifConcurrency));
    private readonly ParallelOptions _parallel = new() { MaxDegreeOfParallelism = Math.Max(1, options.EncodeParallelism) };

    public ImageConverter() : this(new ImagingOptions())
    {
    }

    public IReadOnlyList<EncodedOutput> Convert(ReadOnlyMemory<byte> source, IReadOnlyList<PlannedOutput> plan) =>
        ConvertImage(source, plan).Outputs;

    /// <summary>
    /// The outputs and a description of the source, with its preview made from the decode the outputs use. An
    /// animated source's WebP and GIF outputs keep its frames (<see cref="AnimatedEncoder"/>); the others take its first.
    /// </summary>
    public ConvertedImage ConvertImage(ReadOnlyMemory<byte> source, IReadOnlyList<PlannedOutput> plan)
    {
        using var animation = AnimatedEncoder.TryOpen(source, options);
        if (animation is null) return ConvertStill(source, plan);

        var still = ConvertStill(source, plan.Where(p => !AnimatedEncoder.Takes(p)).ToList());
        var stillOutputs = new Queue<EncodedOutput>(still.Outputs);
        var outputs = plan.Select(p => AnimatedEncoder.Takes(p) ? animation.Encode(p) : stillOutputs.Dequeue()).ToList();
        return new ConvertedImage(still.Source with { Frames = animation.Frames }, outputs);
    }

    private ConvertedImage ConvertStill(ReadOnlyMemory<byte> source, IReadOnlyList<PlannedOutput> plan)
    {
        var format = ImageSniffer.Detect(source.Span);
        using var image = SourceImage.Open(source);
        var origin = image.Origin;
        var swap = Orientation.SwapsAxes(origin);
        var (sourceWidth, sourceHeight) = (image.Width, image.Height);
        // The gateway refuses these from the header already; this guards every other way in.
        if ((long)sourceWidth * sourceHeight > options.MaxSourcePixels)
            throw new UndecodableImageException(
                $"source is {sourceWidth}×{sourceHeight} pixels, more than the limit of {options.MaxSourcePixels} pixels");

        if (plan.All(p => p.Box is null))
        {
            // Only originals, stored byte for byte: still proven to decode as their sniffed format first, or bytes
            // behind a valid magic number (GIF89a…<script>) would be stored and served as an image.
            var (previewWidth, previewHeight) = PreviewSize(swap ? sourceHeight : sourceWidth, swap ? sourceWidth : sourceHeight);
            using var small = image.Decode(swap ? previewHeight : previewWidth, swap ? previewWidth : previewHeight);
            var copies = plan.Select(p => new EncodedOutput(p, source, 0, 0)).ToList();
            return new ConvertedImage(Describe(format, swap ? sourceHeight : sourceWidth, swap ? sourceWidth : sourceHeight, small, origin, swap), copies);
        }
        var (orientedWidth, orientedHeight) = swap ? (sourceHeight, sourceWidth) : (sourceWidth, sourceHeight);

        // Formats asking for the same box share one resized bitmap.
        var sizeOf = plan.Select(p => p.Box is { } box ? Fit.Inside(orientedWidth, orientedHeight, box) : default).ToArray();
        var sizes = sizeOf.Where((_, i) => plan[i].Box is not null).Distinct().OrderByDescending(s => (long)s.Width * s.Height).ToList();
        var needWidth = sizes.Max(t => swap ? t.Height : t.Width);
        var needHeight = sizes.Max(t => swap ? t.Width : t.Height);

        var resized = new Dictionary<(int Width, int Height), SKBitmap>();
        var decoded = image.Decode(needWidth, needHeight);
        var owned = new List<SKBitmap> { decoded };
        try
        {
            // Largest first, each from the smallest bitmap already made that covers it: the full decode is
            // scaled once, and a thumbnail costs a resize of the next size up rather than of the whole photo.
            var unoriented = new List<SKBitmap> { decoded };
            foreach (var (width, height) in sizes)
            {
                var (w, h) = swap ? (height, width) : (width, height);
                var scaled = Resize(unoriented.Last(b => b.Width >= w && b.Height >= h), w, h);
                if (!owned.Contains(scaled)) owned.Add(scaled);
                unoriented.Add(scaled);
                var oriented = Orientation.Apply(scaled, origin);
                if (!owned.Contains(oriented)) owned.Add(oriented);
                resized[(width, height)] = oriented;
            }

            var description = Describe(format, orientedWidth, orientedHeight, unoriented[^1], origin, swap);

            // The decode and the unoriented intermediates are not encoded: free them before the encoders
            // (AV1's especially) claim their own memory.
            foreach (var bitmap in owned.Except(resized.Values).ToList())
            {
                bitmap.Dispose();
                owned.Remove(bitmap);
            }

            var outputs = new EncodedOutput[plan.Count];
            try
            {
                Parallel.For(0, plan.Count, _parallel, i =>
                {
                    var output = plan[i];
                    if (output.Box is null)
                    {
                        outputs[i] = new EncodedOutput(output, source, orientedWidth, orientedHeight);
                        return;
                    }

                    var bitmap = resized[sizeOf[i]];
                    // Parallel.For's workers carry the caller's span as the current one, so each encode is its child.
                    using var span = PixerveTracing.Source.StartActivity($"encode {output.Format.ToString().ToLowerInvariant()}");
                    span?.SetTag("pixerve.output", output.Name);
                    var started = Stopwatch.GetTimestamp();
                    var bytes = Encoder.Encode(bitmap, output, _avifGate);
                    PixerveMetrics.ConversionDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                        new KeyValuePair<string, object?>("format", output.Format.ToString().ToLowerInvariant()));
                    outputs[i] = new EncodedOutput(output, bytes, bitmap.Width, bitmap.Height);
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1)
            {
                // Callers handle the encoder's own exception types, not Parallel's wrapper.
                ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            }

            return new ConvertedImage(description, outputs);
        }
        finally
        {
            foreach (var bitmap in owned) bitmap.Dispose();
        }
    }

    private static (int Width, int Height) PreviewSize(int orientedWidth, int orientedHeight) =>
        Fit.Inside(orientedWidth, orientedHeight, new BoxSize(SourcePreview.MaxSide, SourcePreview.MaxSide));

    /// <summary>Describes the source from its smallest unoriented bitmap, which the preview is scaled from.</summary>
    private static SourceDescription Describe(
        SourceFormat? format, int orientedWidth, int orientedHeight, SKBitmap smallest, SKEncodedOrigin origin, bool swap)
    {
        var (width, height) = swap ? (smallest.Height, smallest.Width) : (smallest.Width, smallest.Height);
        var (previewWidth, previewHeight) = PreviewSize(width, height);
        var scaled = Resize(smallest, swap ? previewHeight : previewWidth, swap ? previewWidth : previewHeight);
        var upright = Orientation.Apply(scaled, origin);
        try
        {
            var info = new SKImageInfo(upright.Width, upright.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul, SKColorSpace.CreateSrgb());
            using var straight = new SKBitmap(info);
            if (!upright.PeekPixels().ReadPixels(straight.PeekPixels()))
                throw new UndecodableImageException("source could not be read back for its preview");

            var hasAlpha = smallest.AlphaType != SKAlphaType.Opaque;
            return new SourceDescription(format ?? SourceFormat.Jpeg, orientedWidth, orientedHeight, hasAlpha, 1,
                new SourcePreview(straight.Width, straight.Height, straight.Bytes));
        }
        finally
        {
            if (!ReferenceEquals(upright, scaled) && !ReferenceEquals(upright, smallest)) upright.Dispose();
            if (!ReferenceEquals(scaled, smallest)) scaled.Dispose();
        }
    }

    /// <summary>libvips' resize; SkiaSharp's halving and Mitchell cubic only if libvips rounds to another size.</summary>
    private static SKBitmap Resize(SKBitmap source, int width, int height)
    {
        if (source.Width == width && source.Height == height) return source;
        return VipsResize.Resize(source, width, height) ?? SkiaResize(source, width, height);
    }

    /// <summary>Halves with a 2×2 box while the image is at least twice the target, then resamples with Mitchell cubic.</summary>
    private static SKBitmap SkiaResize(SKBitmap source, int width, int height)
    {
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
}
