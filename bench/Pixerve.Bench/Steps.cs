using System.Diagnostics;
using System.Globalization;
using NetVips;
using SkiaSharp;

namespace Pixerve.Bench;

/// <summary>
/// <c>--steps</c>: SkiaSharp against libvips for each step the converter could give to either — decoding each
/// source format (full size, and scaled where the format allows), and PNG encoding — single-threaded, so the
/// figures are the libraries' and not the scheduler's. Decides which library each step of the pipeline uses.
/// </summary>
internal static class Steps
{
    public static int Run(string[] args, string images)
    {
        var iterations = Option(args, "--iterations") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 5;
        NetVips.NetVips.Concurrency = Option(args, "--concurrency") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 1;
        Cache.Max = 0;
        Console.WriteLine($"Per-step bench: {Environment.ProcessorCount} cores, load average {LoadAverage()}, one thread per step " +
                          $"(libvips concurrency 1), median of {iterations} after one warm-up; ms per operation.");
        var rows = new List<string> { "| step | input | SkiaSharp (ms) | libvips (ms) | faster |", "|---|---|---:|---:|---|" };

        void Row(string step, string input, Action skia, Action vips)
        {
            var (s, v) = (Median(skia, iterations), Median(vips, iterations));
            rows.Add(FormattableString.Invariant($"| {step} | {input} | {s:F1} | {v:F1} | {(s < v ? "SkiaSharp" : "libvips")} {Math.Max(s, v) / Math.Min(s, v):F2}× |"));
            Console.WriteLine(rows[^1]);
        }

        byte[] Read(string name) => File.ReadAllBytes(Path.Combine(images, name));
        var jpeg18 = Read("photo-18mp-sony.jpg");
        var jpeg2 = Read("photo-1920x1280-canon.jpg");
        var png = Read("art-3840x2160.png");
        var png16 = Read("alpha.png");
        var webp = Read("photo-wood.webp");
        var gif = Read("animated.gif");
        byte[] avif;
        using (var photo = Image.JpegloadBuffer(jpeg2)) avif = photo.HeifsaveBuffer(q: 60, effort: 2, compression: Enums.ForeignHeifCompression.Av1);

        Row("decode JPEG, full", "18 MP", () => SkiaDecode(jpeg18, 1), () => VipsDecode(() => Image.JpegloadBuffer(jpeg18, access: Enums.Access.Sequential)));
        Row("decode JPEG, scaled 1/2", "18 MP", () => SkiaDecode(jpeg18, 0.5f), () => VipsDecode(() => Image.JpegloadBuffer(jpeg18, shrink: 2, access: Enums.Access.Sequential)));
        Row("decode JPEG, scaled 1/4", "18 MP", () => SkiaDecode(jpeg18, 0.25f), () => VipsDecode(() => Image.JpegloadBuffer(jpeg18, shrink: 4, access: Enums.Access.Sequential)));
        Row("decode JPEG, full", "1920×1280", () => SkiaDecode(jpeg2, 1), () => VipsDecode(() => Image.JpegloadBuffer(jpeg2, access: Enums.Access.Sequential)));
        Row("decode PNG 8-bit", "3840×2160", () => SkiaDecode(png, 1), () => VipsDecode(() => Image.PngloadBuffer(png, access: Enums.Access.Sequential)));
        Row("decode PNG 16-bit RGBA", "1200×800", () => SkiaDecode(png16, 1), () => VipsDecode(() => Image.PngloadBuffer(png16, access: Enums.Access.Sequential)));
        Row("decode WebP, full", "photo-wood", () => SkiaDecode(webp, 1), () => VipsDecode(() => Image.WebploadBuffer(webp, access: Enums.Access.Sequential)));
        Row("decode WebP, scaled 1/2", "photo-wood", () => SkiaDecode(webp, 0.5f), () => VipsDecode(() => Image.WebploadBuffer(webp, scale: 0.5, access: Enums.Access.Sequential)));
        Row("decode GIF, first frame", "320×240", () => SkiaDecode(gif, 1), () => VipsDecode(() => Image.GifloadBuffer(gif, access: Enums.Access.Sequential)));

        using var art = Image.PngloadBuffer(png).Resize(1600.0 / 3840).CopyMemory();
        using var rgba = art.HasAlpha() ? art.Copy() : art.Bandjoin(255);
        var pixels = rgba.WriteToMemory<byte>();
        using var bitmap = new SKBitmap(new SKImageInfo(rgba.Width, rgba.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        Row("encode PNG, zlib 4 (speed 5)", $"{art.Width}×{art.Height} art", () =>
        {
            using var data = bitmap.PeekPixels().Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 4));
        }, () => art.PngsaveBuffer(compression: 4, filter: Enums.ForeignPngFilter.All, keep: Enums.ForeignKeep.None));
        Row("encode PNG, zlib 6 (libvips' default filter)", $"{art.Width}×{art.Height} art", () =>
        {
            using var data = bitmap.PeekPixels().Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 6));
        }, () => art.PngsaveBuffer(compression: 6, keep: Enums.ForeignKeep.None));

        var workload = new List<string> { "| source | step of the workload | ms (one thread) |", "|---|---|---:|" };
        foreach (var name in Workload.Sources) Workload_(name, Read(name), iterations, workload);

        Console.WriteLine();
        foreach (var row in rows) Console.WriteLine(row);
        Console.WriteLine();
        foreach (var row in workload) Console.WriteLine(row);
        return 0;
    }

    /// <summary>
    /// The converter's steps for the bench workload, one at a time on one thread: where the time of an image goes.
    /// The same calls ImageConverter makes (shrink-on-load decode streamed through the resize to the 1600 box, the
    /// 400 from the 1600, each saver with Pixerve's settings).
    /// </summary>
    private static void Workload_(string name, byte[] jpeg, int iterations, List<string> rows)
    {
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.GetTimestamp();
        using var header = Image.JpegloadBuffer(jpeg);
        var (big, small) = (Size(header.Width, header.Height, 1600), Size(header.Width, header.Height, 400));
        var shrink = new[] { 8, 4, 2 }.FirstOrDefault(s => (header.Width + s - 1) / s >= big.Width && (header.Height + s - 1) / s >= big.Height, 1);
        Image Big()
        {
            using var loaded = Image.JpegloadBuffer(jpeg, shrink: shrink, access: Enums.Access.Sequential);
            using var resized = loaded.Resize(big.Width / (double)loaded.Width, vscale: big.Height / (double)loaded.Height, kernel: Enums.Kernel.Lanczos3);
            return resized.CopyMemory();
        }

        using var image1600 = Big();
        using var image400 = image1600.Resize(small.Width / (double)big.Width, vscale: small.Height / (double)big.Height, kernel: Enums.Kernel.Lanczos3).CopyMemory();
        void Add(string step, Action action) => rows.Add(FormattableString.Invariant($"| {name} | {step} | {Median(action, iterations):F0} |"));
        Add($"decode (shrink {shrink}) + resize to {big.Width}×{big.Height}", () => Big().Dispose());
        Add($"resize {big.Width}×{big.Height} → {small.Width}×{small.Height}", () =>
        {
            using var resized = image1600.Resize(small.Width / (double)big.Width, vscale: small.Height / (double)big.Height, kernel: Enums.Kernel.Lanczos3);
            using var memory = resized.CopyMemory();
        });
        foreach (var (label, image) in new[] { ("1600", image1600), ("400", image400) })
        {
            Add($"jpg q{Workload.JpegQuality} {label}", () => new Pixerve.Imaging.Encoders.JpegEncoder().Encode(image, Workload.JpegQuality, 0));
            Add($"webp q{Workload.WebpQuality} {label}", () => new Pixerve.Imaging.Encoders.WebpEncoder().Encode(image, Workload.WebpQuality, Pixerve.Imaging.Inspection.Formats.OutputFormats.Info(Pixerve.Imaging.Inspection.Formats.OutputFormat.Webp).DefaultSpeed!.Value));
            Add($"avif q{Workload.AvifQuality} speed {Workload.AvifSpeed} {label}", () => new Pixerve.Imaging.Encoders.AvifEncoder().Encode(image, Workload.AvifQuality, Workload.AvifSpeed));
        }

        // More CPU than wall time would mean a step threads itself beyond libvips' concurrency (libaom's own threads).
        var cpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        rows.Add(FormattableString.Invariant($"| {name} | all of the above: CPU ÷ wall time (libvips concurrency {NetVips.NetVips.Concurrency}) | {cpuSeconds / Stopwatch.GetElapsedTime(wall).TotalSeconds:F2} |"));
    }

    private static (int Width, int Height) Size(int width, int height, int box) => Workload.Fit(width, height, box);

    private static void SkiaDecode(byte[] bytes, float scale)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(bytes)) ?? throw new InvalidOperationException("no codec");
        var size = scale < 1 ? codec.GetScaledDimensions(scale) : codec.Info.Size;
        var alpha = codec.Info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul;
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, alpha, SKColorSpace.CreateSrgb());
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success) throw new InvalidOperationException($"skia: {result}");
    }

    /// <summary>Decoded into memory, converted to sRGB 8-bit as the pipeline does, so both sides do the same work.</summary>
    private static void VipsDecode(Func<Image> load)
    {
        using var image = load();
        using var srgb = image.Interpretation is Enums.Interpretation.Srgb && image.Format == Enums.BandFormat.Uchar
            ? image.Copy()
            : image.Colourspace(Enums.Interpretation.Srgb);
        using var memory = srgb.CopyMemory();
    }

    private static double Median(Action action, int iterations)
    {
        action();
        var times = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
