using NetVips;
using Pixerve.Imaging.Encoders;
using Pixerve.Imaging.Inspection;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging;

/// <summary>
/// An animated GIF or WebP source, loaded whole through libvips (its loader by name, <c>n=-1</c>: every frame
/// stacked into one tall image, <c>page-height</c> apart), and the WebP and GIF outputs made from it with their
/// frames, per-frame delays and loop count kept. The still pipeline makes every other output from the first frame.
/// </summary>
public sealed class AnimatedEncoder : IDisposable
{
    private readonly Image _loaded;
    private Image? _decoded;
    private readonly int[] _delays;
    private readonly int _loop;

    private AnimatedEncoder(Image loaded, int frameCount, int frameHeight, int[] delays, int loop)
    {
        _loaded = loaded;
        Frames = frameCount;
        FrameHeight = frameHeight;
        _delays = delays;
        _loop = loop;
    }

    public int Frames { get; }

    public int FrameWidth => _loaded.Width;

    public int FrameHeight { get; }

    /// <summary>
    /// Opens <paramref name="source"/> if it is a GIF or WebP of more than one frame, else null. Refuses a source
    /// past the frame limit or whose frames together (width × height × frames) pass the pixel limit: the gateway
    /// checks both at upload, this guards every other way in.
    /// </summary>
    public static AnimatedEncoder? TryOpen(ReadOnlyMemory<byte> source, ImageLimitsOptions limits)
    {
        var format = ImageSniffer.Detect(source.Span);
        if (format is not (SourceFormat.Gif or SourceFormat.Webp)) return null;
        // Most GIFs and WebPs are stills: known from their structure without handing a copy of the bytes to libvips.
        if (format == SourceFormat.Webp && !HasAnimationFlag(source.Span)) return null;
        if (format == SourceFormat.Gif)
        {
            var scanner = new GifFrameScanner(long.MaxValue);
            scanner.Feed(source.Span);
            if (scanner.Frames <= 1) return null;
        }

        LibVips.EnsureConfigured();

        Image image;
        try
        {
            // Only the header is read here. The loader by name: libvips' own detection would hand other bytes to
            // whichever loader claims them.
            var bytes = source.ToArray();
            image = format == SourceFormat.Gif ? Image.GifloadBuffer(bytes, n: -1) : Image.WebploadBuffer(bytes, n: -1);
        }
        catch (VipsException e)
        {
            throw new UndecodableImageException($"source is not a decodable image: {e.Message.Split('\n', 2)[0].Trim()}");
        }

        try
        {
            var frames = image.Contains("n-pages") ? (int)image.Get("n-pages") : 1;
            var frameHeight = image.PageHeight;
            if (frames <= 1 || frameHeight <= 0 || image.Height != (long)frameHeight * frames)
            {
                image.Dispose();
                return null;
            }

            if (frames > limits.MaxFrames)
                throw new UndecodableImageException($"source has {frames} frames, more than the limit of {limits.MaxFrames} frames");
            if ((long)image.Width * frameHeight * frames > limits.MaxSourcePixels)
                throw new UndecodableImageException(
                    $"source is {frames} frames of {image.Width}×{frameHeight} pixels, more than the limit of {limits.MaxSourcePixels} pixels");

            var delays = image.Contains("delay") ? (int[])image.Get("delay") : [];
            var loop = image.Contains("loop") ? (int)image.Get("loop") : 0;
            return new AnimatedEncoder(image, frames, frameHeight, delays, loop);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>An extended WebP (a <c>VP8X</c> chunk first) whose flags byte has the animation bit (0x02).</summary>
    private static bool HasAnimationFlag(ReadOnlySpan<byte> webp) =>
        webp.Length > 20 && webp[12..16].SequenceEqual("VP8X"u8) && (webp[20] & 0x02) != 0;

    /// <summary>Whether <paramref name="output"/> is made here: resized, in a format that animates, not forced to a still.</summary>
    public static bool Takes(OutputRequest output) =>
        output.Box is not null && !output.Still && output.Format.Info().Animates;

    /// <summary>
    /// Every frame fitted to the output's box as its fit asks (<see cref="BoxGeometry.Shape"/>, as for a still), encoded
    /// with the source's delays and loop count.
    /// </summary>
    public EncodedOutput Encode(OutputRequest output)
    {
        var shape = BoxGeometry.Shape(FrameWidth, FrameHeight, output.Box ?? throw new ArgumentException("a copy is not encoded", nameof(output)));
        var (width, height) = (shape.Width, shape.Height);
        using var span = ImagingTelemetry.Source.StartActivity($"encode animated {output.Format.Info().Name}");
        span?.SetTag("pixerve.output", output.Name);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // Decoded into memory once, at the first animated output: every output resizes every frame. A job with
        // none (only stills and copies) never decodes more than the first frame.
        _decoded ??= _loaded.CopyMemory();
        var resized = new List<Image>(Frames);
        try
        {
            // A cover crop's window is chosen once, on the first frame, and cut from every frame: a window chosen
            // per frame would move as the frames change, and the animation would jitter.
            (int Left, int Top)? window = null;
            // Each frame on its own: resizing the stacked image as one would blend the edges of neighbouring frames.
            for (var i = 0; i < Frames; i++)
            {
                using var frame = _decoded.ExtractArea(0, i * FrameHeight, FrameWidth, FrameHeight);
                if (shape.Fit != FitMode.Cover)
                {
                    // Inside: the scaled size is the output's; fill: each side stretched to the box on its own.
                    resized.Add(VipsResize.Resize(frame, width, height));
                    continue;
                }

                // The first frame rendered once: a smart crop's search reads it many times over.
                using var scaled = window is null
                    ? ImageConverter.Materialise(VipsResize.Resize(frame, shape.Scaled.Width, shape.Scaled.Height))
                    : VipsResize.Resize(frame, shape.Scaled.Width, shape.Scaled.Height);
                window ??= CropWindow.Find(scaled, width, height, shape.Gravity);
                resized.Add(scaled.ExtractArea(window.Value.Left, window.Value.Top, width, height));
            }

            using var joined = Image.Arrayjoin(resized.ToArray(), across: 1);
            using var animation = joined.Mutate(m =>
            {
                m.Set("page-height", height);
                m.Set("n-pages", Frames);
                if (_delays.Length > 0) m.Set("delay", _delays);
                m.Set("loop", _loop);
            });
            // The format's own encoder: libvips saves a stacked image with page-height and delays as an animation.
            var bytes = OutputEncoders.Encode(animation, output);
            ImagingTelemetry.ConversionDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("format", output.Format.Info().Name));
            return new EncodedOutput(output, bytes, width, height);
        }
        finally
        {
            foreach (var frame in resized) frame.Dispose();
        }
    }

    public void Dispose()
    {
        _decoded?.Dispose();
        _loaded.Dispose();
    }
}
