using System.Diagnostics;
using System.Runtime.ExceptionServices;
using NetVips;
using Pixerve.Imaging.Inspection;
using Pixerve.Imaging.Encoders;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging;

/// <summary>
/// One pixel pipeline in libvips, from decode to the last encode: the source is decoded once, shrunk on load to
/// the smallest scale the largest output needs, and resized in the same pass; each further size is made from the
/// smallest one already made that covers it, and every output is cropped or stretched (cover, fill) and encoded as
/// soon as its size exists. Every step runs on <see cref="ConversionThreads"/>, the silo's CPU budget at a lower
/// priority; the call blocks until the outputs are done, so callers run it off the grain scheduler.
/// </summary>
/// <param name="limits">The pixel and frame limits (defaults when null), checked again here so that no way in can make a decoder allocate a bomb.</param>
public sealed class ImageConverter(ImagingOptions options, ImageLimitsOptions? limits = null)
{
    private readonly ConversionThreads _threads = ConversionThreads.For(options);
    private readonly ImageLimitsOptions _limits = limits ?? new ImageLimitsOptions();

    public ImageConverter() : this(new ImagingOptions())
    {
    }

    public IReadOnlyList<EncodedOutput> Convert(ReadOnlyMemory<byte> source, IReadOnlyList<OutputRequest> plan) =>
        ConvertImage(source, plan).Outputs;

    /// <summary>
    /// The outputs and a description of the source, with its preview made from the decode the outputs use. An
    /// animated source's WebP and GIF outputs keep its frames (<see cref="AnimatedEncoder"/>); the others take its first.
    /// Cancelling stops it between steps and kills the libvips encode in progress; it then throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="progress">Told the source's description and each output as soon as each is made.</param>
    public ConvertedImage ConvertImage(ReadOnlyMemory<byte> source, IReadOnlyList<OutputRequest> plan, CancellationToken cancellationToken = default,
        IConversionProgress? progress = null)
    {
        progress ??= NoProgress.Instance;
        try
        {
            using var inFlight = _threads.EnterConversion();
            using var animation = AnimatedEncoder.TryOpen(source, _limits);
            if (animation is null) return ConvertStill(source, plan, cancellationToken, progress);

            var stillIndexes = Enumerable.Range(0, plan.Count).Where(i => !AnimatedEncoder.Takes(plan[i])).ToList();
            // The still part's progress told in the whole plan's terms, and with the frames only the animation knows.
            var stillProgress = new MappedProgress(progress, stillIndexes, animation.Frames);
            var still = ConvertStill(source, stillIndexes.Select(i => plan[i]).ToList(), cancellationToken, stillProgress);
            var stillOutputs = new Queue<EncodedOutput>(still.Outputs);
            // On the conversion threads, like every other image step: animated outputs count against the CPU budget too.
            var outputs = plan.Select((p, i) =>
            {
                if (!AnimatedEncoder.Takes(p)) return stillOutputs.Dequeue();
                var encoded = Wait(_threads.Run(Step(() => animation.Encode(p), cancellationToken)));
                progress.Encoded(i, encoded);
                return encoded;
            }).ToList();
            return new ConvertedImage(still.Source with { Frames = animation.Frames }, outputs);
        }
        catch (Exception e) when (e is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // A killed libvips operation throws its own error: the cause is the cancellation.
            throw new OperationCanceledException("the conversion was cancelled", e, cancellationToken);
        }
    }

    /// <summary>A step that does not start once the conversion is cancelled.</summary>
    private static Func<T> Step<T>(Func<T> work, CancellationToken cancellationToken) => () =>
    {
        cancellationToken.ThrowIfCancellationRequested();
        return work();
    };

    private ConvertedImage ConvertStill(ReadOnlyMemory<byte> source, IReadOnlyList<OutputRequest> plan, CancellationToken cancellationToken,
        IConversionProgress progress)
    {
        var format = ImageSniffer.Detect(source.Span);
        // A HEIF file declares sizes the opened image does not show (tiles, thumbnails, a grid's output), and its
        // decoder allocates them: every one is checked, and an ambiguous structure refused, before a decoder reads it.
        if (format is SourceFormat.Avif or SourceFormat.Heic) Heif.HeifLimits.EnsureWithin(source.Span, _limits.MaxSourcePixels);
        using var image = SourceImage.Open(source, _limits.MaxSourcePixels);
        // The gateway refuses these from the header already; this guards every other way in.
        if ((long)image.Width * image.Height > _limits.MaxSourcePixels)
            throw new UndecodableImageException(
                $"source is {image.Width}×{image.Height} pixels, more than the limit of {_limits.MaxSourcePixels} pixels ({ImageLimitsOptions.MaxSourcePixelsKey})");

        var upright = new Upright(image, format ?? SourceFormat.Jpeg);
        if (plan.All(p => p.Box is null))
        {
            // Only originals, stored byte for byte: still proven to decode as their sniffed format first, or bytes
            // behind a valid magic number (GIF89a…<script>) would be stored and served as an image.
            var described = Wait(_threads.Run(Step(() =>
            {
                using var small = upright.Decode(SourcePreviewMaker.Size(upright.Width, upright.Height));
                return upright.Describe(small);
            }, cancellationToken)));
            progress.Described(described);
            var copies = plan.Select(p => new EncodedOutput(p, source, 0, 0)).ToList();
            for (var i = 0; i < copies.Count; i++) progress.Encoded(i, copies[i]);
            return new ConvertedImage(described, copies);
        }

        return Run(source, plan, upright, cancellationToken, progress);
    }

    private ConvertedImage Run(ReadOnlyMemory<byte> source, IReadOnlyList<OutputRequest> plan, Upright upright, CancellationToken cancellationToken,
        IConversionProgress progress)
    {
        var shapes = plan.Select(p => p.Box is { } box ? BoxGeometry.Shape(upright.Width, upright.Height, box) : null).ToArray();
        // Outputs asking for the same scaled size share one resized image, made once.
        var sizes = shapes.OfType<OutputShape>().Select(s => s.Scaled).Distinct()
            .OrderByDescending(s => (long)s.Width * s.Height).ToList();

        var made = new Dictionary<(int Width, int Height), Task<Image>>();
        var tasks = new List<Task>();
        made[sizes[0]] = _threads.Run(Step(() => upright.Decode(sizes[0]), cancellationToken));
        foreach (var size in sizes.Skip(1))
        {
            var from = Smallest(made, size);
            made[size] = _threads.After(made[from], Step(() => Materialise(VipsResize.Resize(made[from].Result, size.Width, size.Height)), cancellationToken));
        }

        tasks.AddRange(made.Values);
        var previewSize = SourcePreviewMaker.Size(upright.Width, upright.Height);
        var previewFrom = made.Keys.Any(k => Covers(k, previewSize)) ? Smallest(made, previewSize) : sizes[^1];
        var description = _threads.After(made[previewFrom], () =>
        {
            var described = upright.Describe(made[previewFrom].Result);
            progress.Described(described);
            return described;
        });
        tasks.Add(description);

        var outputs = new Task<EncodedOutput>[plan.Count];
        // Alone on the threads, the largest AV1 encode (the critical path) goes last and wide: after every other
        // step, across all the threads (~47 % less wall time on two cores than on one). Only from a source at least
        // twice its pixels: a strong downscale leaves dense detail, where AV1 costs 2.6-3.5× a WebP of the same size
        // and the wide encode wins; near its own size a photo may cost AV1 only 1.8× WebP, and waiting for the WebP
        // to finish loses more than threading gains (bench/README.md). With other conversions in flight the threads
        // are busy anyway and each step takes one.
        var wide = _threads.Count > 1 && _threads.ConversionsInFlight == 1 ? WideAvif(plan, shapes, upright) : null;
        // Dearest encodes are queued first (the longest job first keeps the threads busy to the end): an AV1 encode
        // of the largest size is usually the conversion's critical path.
        foreach (var i in Enumerable.Range(0, plan.Count).OrderBy(i => plan[i].Format.Info().CostRank))
        {
            var (output, shape) = (plan[i], shapes[i]);
            if (shape is null)
            {
                outputs[i] = Task.FromResult(new EncodedOutput(output, source, upright.Width, upright.Height));
                progress.Encoded(i, outputs[i].Result);
                continue;
            }

            if (i == wide) continue;
            var (index, scaled) = (i, made[shape.Scaled]);
            outputs[i] = _threads.After(scaled, Step(() => Told(progress, index, Encode(output, shape, scaled.Result, cancellationToken)), cancellationToken));
            tasks.Add(outputs[i]);
        }

        if (wide is { } w)
        {
            var (output, shape, scaled) = (plan[w], shapes[w]!, made[shapes[w]!.Scaled]);
            outputs[w] = _threads.After(Task.WhenAll(tasks),
                Step(() => Told(progress, w, _threads.RunWide(threads => Encode(output, shape, scaled.Result, cancellationToken, threads))), cancellationToken));
            tasks.Add(outputs[w]);
        }

        try
        {
            WaitAll(tasks);
            return new ConvertedImage(description.Result, outputs.Select(o => o.Result).ToList());
        }
        finally
        {
            foreach (var task in made.Values.Where(t => t.IsCompletedSuccessfully)) task.Result.Dispose();
        }
    }

    /// <summary>Tells <paramref name="progress"/> of an output just made, on the thread that made it.</summary>
    private static EncodedOutput Told(IConversionProgress progress, int index, EncodedOutput output)
    {
        progress.Encoded(index, output);
        return output;
    }

    private static EncodedOutput Encode(OutputRequest output, OutputShape shape, Image scaled, CancellationToken cancellationToken, int threads = 1)
    {
        // The tasks carry the caller's execution context, so each encode's span is a child of the conversion's.
        using var span = ImagingTelemetry.Source.StartActivity($"encode {output.Format.Info().Name}");
        span?.SetTag("pixerve.output", output.Name);
        span?.SetTag("pixerve.threads", threads);
        var started = Stopwatch.GetTimestamp();
        using var final = shape.Fit switch
        {
            FitMode.Cover => scaled.Smartcrop(shape.Width, shape.Height, interesting: CropWindow.Interesting(shape.Gravity)),
            FitMode.Fill => VipsResize.Resize(scaled, shape.Width, shape.Height),
            _ => scaled.Copy(),
        };
        // An AV1 encode of a large photo can take minutes: a cancel kills it where it is, not after it.
        byte[] bytes;
        using (cancellationToken.Register(() => final.SetKill(true))) bytes = OutputEncoders.Encode(final, output);
        ImagingTelemetry.ConversionDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("format", output.Format.Info().Name));
        return new EncodedOutput(output, bytes, final.Width, final.Height);
    }

    /// <summary>The AVIF output made from the largest scaled size, if the plan has one and the source has twice its pixels.</summary>
    private static int? WideAvif(IReadOnlyList<OutputRequest> plan, OutputShape?[] shapes, Upright upright)
    {
        var largest = Enumerable.Range(0, plan.Count)
            .Where(i => plan[i].Format == OutputFormat.Avif && shapes[i] is not null)
            .Select(i => (int?)i)
            .MaxBy(i => Pixels(shapes[i!.Value]!.Scaled));
        return largest is { } i && (long)upright.Width * upright.Height >= 2 * Pixels(shapes[i]!.Scaled) ? i : null;
    }

    private static long Pixels((int Width, int Height) size) => (long)size.Width * size.Height;

    /// <summary>Renders a lazy image into memory, where several encoders and the next size read it at once.</summary>
    internal static Image Materialise(Image lazy)
    {
        using (lazy) return lazy.CopyMemory();
    }

    private static bool Covers((int Width, int Height) size, (int Width, int Height) need) =>
        size.Width >= need.Width && size.Height >= need.Height;

    /// <summary>The smallest size made so far that covers <paramref name="need"/> (the first, largest one always does).</summary>
    private static (int Width, int Height) Smallest(Dictionary<(int Width, int Height), Task<Image>> made, (int Width, int Height) need) =>
        made.Keys.Where(k => Covers(k, need)).MinBy(k => (long)k.Width * k.Height);

    private static T Wait<T>(Task<T> task)
    {
        WaitAll([task]);
        return task.Result;
    }

    /// <summary>
    /// Waits for every step, even after one failed, so that no step still reads an image about to be disposed; then
    /// throws the first failure as itself (callers handle <see cref="UndecodableImageException"/>, not a wrapper).
    /// </summary>
    private static void WaitAll(IReadOnlyList<Task> tasks)
    {
        Task.WhenAll(tasks).ContinueWith(_ => { }, TaskScheduler.Default).Wait();
        var errors = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.Flatten().InnerExceptions).ToList();
        if (errors.Count == 0) return;
        ExceptionDispatchInfo.Throw(errors.FirstOrDefault(e => e is UndecodableImageException) ?? errors[0]);
    }

    private sealed class NoProgress : IConversionProgress
    {
        public static readonly NoProgress Instance = new();

        public void Described(SourceDescription source)
        {
        }

        public void Encoded(int index, EncodedOutput output)
        {
        }
    }

    /// <summary>The progress of part of a plan (an animated source's still outputs), told as the whole plan's.</summary>
    private sealed class MappedProgress(IConversionProgress whole, IReadOnlyList<int> indexes, int frames) : IConversionProgress
    {
        public void Described(SourceDescription source) => whole.Described(source with { Frames = frames });

        public void Encoded(int index, EncodedOutput output) => whole.Encoded(indexes[index], output);
    }
}
