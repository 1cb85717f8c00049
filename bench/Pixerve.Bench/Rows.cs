using System.Diagnostics;
using NetVips;
using Pixerve.Imaging.Inspection.Formats;
using Pixerve.Imaging;

namespace Pixerve.Bench;

/// <summary>One way of producing the workload's outputs from a source file.</summary>
public abstract class Row
{
    public abstract string Name { get; }

    /// <summary>Null when the row can run, else why not (a missing tool).</summary>
    public virtual string? Unavailable => null;

    /// <summary>True when the work runs in child processes, so peak memory is theirs rather than the worker's.</summary>
    public virtual bool InChildren => false;

    /// <summary>Produces every output of one source into <paramref name="outDir"/>; returns how many files it wrote.</summary>
    public abstract int Run(string source, string outDir);

    /// <summary>A row that times itself (in another runtime) returns its seconds per image and peak RSS; null: run it in a worker.</summary>
    public virtual (double Seconds, long PeakKb)? Measure(string source, int iterations) => null;

    public static IReadOnlyList<Row> All { get; } = [new PixerveRow(), new NetVipsRow(), new SharpRow(), new SeedCliRow(), new VipsCliRow()];
}

/// <summary>(a) Pixerve's own converter, in process: decode once, derive sizes, encode in parallel.</summary>
public sealed class PixerveRow : Row
{
    // Nice 0: the row measures the engine's speed, and on a shared machine niced threads would hand their cores to
    // whatever else runs there rather than to the rows they are compared with (the --e2e mode measures the priority).
    private readonly ImageConverter _converter = new(new ImagingOptions { ThreadNice = 0 });

    public override string Name => "pixerve ImageConverter (in-process)";

    public override int Run(string source, string outDir)
    {
        var plan = Workload.Boxes.SelectMany(box => new OutputRequest[]
        {
            new($"{box}.jpg", OutputFormat.Jpg, new OutputBox(box, box), Workload.JpegQuality, null),
            new($"{box}.webp", OutputFormat.Webp, new OutputBox(box, box), Workload.WebpQuality, null),
            new($"{box}.avif", OutputFormat.Avif, new OutputBox(box, box), Workload.AvifQuality, Workload.AvifSpeed),
        }).ToList();
        var outputs = _converter.Convert(File.ReadAllBytes(source), plan);
        foreach (var output in outputs) File.WriteAllBytes(Path.Combine(outDir, output.Output.Name), output.Bytes.ToArray());
        return outputs.Count;
    }
}

/// <summary>(c′) libvips in process through NetVips (the package's libvips 8.18): the practical limit for this work.</summary>
public sealed class NetVipsRow : Row
{
    public override string Name => "libvips via NetVips (in-process)";

    public override int Run(string source, string outDir)
    {
        // The same shape as Pixerve's: decode once (shrink-on-load for the largest box), derive the smaller box
        // from the larger, save the three formats of a size in parallel.
        Image? larger = null;
        try
        {
            foreach (var box in Workload.Boxes.OrderDescending())
            {
                // Thumbnails stream (sequential access); render into memory once for three savers and the next size.
                using var streamed = larger is null
                    ? Image.ThumbnailBuffer(File.ReadAllBytes(source), box, height: box, size: Enums.Size.Down)
                    : larger.ThumbnailImage(box, height: box, size: Enums.Size.Down);
                var thumb = streamed.CopyMemory();
                larger?.Dispose();
                larger = thumb;
                Parallel.Invoke(
                    () => File.WriteAllBytes(Path.Combine(outDir, $"{box}.jpg"), thumb.JpegsaveBuffer(q: Workload.JpegQuality, keep: Enums.ForeignKeep.None)),
                    () => File.WriteAllBytes(Path.Combine(outDir, $"{box}.webp"), thumb.WebpsaveBuffer(q: Workload.WebpQuality, keep: Enums.ForeignKeep.None)),
                    () => File.WriteAllBytes(Path.Combine(outDir, $"{box}.avif"), thumb.HeifsaveBuffer(q: Workload.AvifQuality,
                        effort: Workload.AvifEffort, compression: Enums.ForeignHeifCompression.Av1, keep: Enums.ForeignKeep.None)));
            }
        }
        finally
        {
            larger?.Dispose();
        }

        return Workload.OutputsPerImage;
    }
}

/// <summary>A row that runs command-line tools, one process per step, as a shell pipeline would.</summary>
public abstract class CliRow : Row
{
    protected abstract string[] Tools { get; }

    public override bool InChildren => true;

    public override string? Unavailable
    {
        get
        {
            var missing = Tools.Where(tool => Which(tool) is null).ToList();
            return missing.Count == 0 ? null : $"not installed: {string.Join(", ", missing)} (see bench/README.md for the apt line)";
        }
    }

    protected static void Exec(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(Which(tool) ?? tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
    }

    protected static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    protected static (int Width, int Height) Dimensions(string source)
    {
        using var image = Image.NewFromFile(source);
        return (image.Width, image.Height);
    }
}

/// <summary>(b) The seed's pipeline: ImageMagick for JPEG (and the PNG that avifenc needs), cwebp, avifenc.</summary>
public sealed class SeedCliRow : CliRow
{
    public override string Name => "seed: convert + cwebp + avifenc";

    /// <summary>ImageMagick 6's own name first: a `convert` earlier on the PATH may be a stand-in that is not ImageMagick.</summary>
    private static readonly string Convert = Which("convert-im6.q16") is not null ? "convert-im6.q16" : "convert";

    protected override string[] Tools => [Convert, "cwebp", "avifenc"];

    public override int Run(string source, string outDir)
    {
        var (width, height) = Dimensions(source);
        foreach (var box in Workload.Boxes)
        {
            var (w, h) = Workload.Fit(width, height, box);
            var out_ = Path.Combine(outDir, box.ToString());
            Exec(Convert, source, "-resize", $"{box}x{box}>", "-quality", $"{Workload.JpegQuality}", "-strip", $"{out_}.jpg");
            Exec("cwebp", "-quiet", "-q", $"{Workload.WebpQuality}", "-resize", $"{w}", $"{h}", "-metadata", "none", source, "-o", $"{out_}.webp");
            // avifenc neither resizes nor reads JPEG: ImageMagick makes the resized PNG it encodes.
            Exec(Convert, source, "-resize", $"{box}x{box}>", "-strip", $"{out_}.png");
            Exec("avifenc", "-s", $"{Workload.AomCpuUsed}", "--min", $"{Workload.AvifQuantizer}", "--max", $"{Workload.AvifQuantizer}",
                $"{out_}.png", $"{out_}.avif");
            File.Delete($"{out_}.png");
        }

        return Workload.OutputsPerImage;
    }
}

/// <summary>(c) vipsthumbnail, one process per output: shrink-on-load decode, libvips' resize and savers.</summary>
public sealed class VipsCliRow : CliRow
{
    public override string Name => "vipsthumbnail (CLI)";

    protected override string[] Tools => ["vipsthumbnail"];

    public override int Run(string source, string outDir)
    {
        foreach (var box in Workload.Boxes)
        {
            var out_ = Path.Combine(outDir, box.ToString());
            Exec("vipsthumbnail", source, "--size", $"{box}x{box}>", "-o", $"{out_}.jpg[Q={Workload.JpegQuality},strip]");
            Exec("vipsthumbnail", source, "--size", $"{box}x{box}>", "-o", $"{out_}.webp[Q={Workload.WebpQuality},strip]");
            Exec("vipsthumbnail", source, "--size", $"{box}x{box}>", "-o",
                $"{out_}.avif[Q={Workload.AvifQuality},effort={Workload.AvifEffort},compression=av1,strip]");
        }

        return Workload.OutputsPerImage;
    }
}
