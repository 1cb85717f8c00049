using System.Diagnostics;
using System.Globalization;
using Pixerve.Bench;
using Pixerve.Testing;

// Orchestrator by default; with --worker it runs one row on one source and prints its measurements, so each
// row's peak memory is measured in a process of its own. --e2e measures the whole cluster instead (EndToEnd.cs), --soak
// what accumulates in it over thousands of jobs (Soak.cs).
// Every row, worker and silo runs under the malloc arena cap the silo's container image and run.sh set
// (docs/operations.md, "Memory"), so peak RSS compares like with like; a value already in the environment wins.
if (Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null) Environment.SetEnvironmentVariable("MALLOC_ARENA_MAX", "2");
if (args.Contains("--e2e")) return await EndToEnd.RunAsync(args, Orchestrator.Images(args));
if (args.Contains("--soak")) return await Soak.RunAsync(args, Orchestrator.Images(args));
if (args.Contains("--steps")) return Steps.Run(args, Orchestrator.Images(args));
return args is ["--worker", var row, var source, var iterations]
    ? Worker.Run(Row.All[int.Parse(row, CultureInfo.InvariantCulture)], source, int.Parse(iterations, CultureInfo.InvariantCulture))
    : Orchestrator.Run(args);

internal static class Worker
{
    public static int Run(Row row, string source, int iterations)
    {
        var outDir = Directory.CreateTempSubdirectory("pixerve-bench-").FullName;
        try
        {
            // One untimed run: JIT, native library loading and the page cache are not what is measured.
            Check(row.Run(source, outDir), outDir);
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < iterations; i++) row.Run(source, outDir);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var peakKb = row.InChildren ? Rusage.PeakChildKb() : Rusage.PeakSelfKb();
            Console.WriteLine(FormattableString.Invariant($"RESULT {seconds / iterations:F4} {peakKb}"));
            return 0;
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    /// <summary>A row that writes fewer or empty files is not doing the same work: refuse to time it.</summary>
    private static void Check(int count, string outDir)
    {
        var files = Directory.GetFiles(outDir).Select(f => new FileInfo(f)).ToList();
        if (count != Workload.OutputsPerImage || files.Count != Workload.OutputsPerImage || files.Any(f => f.Length == 0))
            throw new InvalidOperationException($"expected {Workload.OutputsPerImage} non-empty outputs, got {string.Join(", ", files.Select(f => $"{f.Name}={f.Length}"))}");
    }
}

internal static class Orchestrator
{
    public static int Run(string[] args)
    {
        var iterations = Option(args, "--iterations") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 3;
        var images = Images(args);
        // --rows 0,1,2 runs only those rows (Row.All's order: pixerve, libvips, sharp, seed, vipsthumbnail).
        var only = Option(args, "--rows")?.Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToHashSet();
        var sources = Option(args, "--sources")?.Split(',') ?? Workload.Sources;
        Console.WriteLine($"Pixerve bench: {Environment.ProcessorCount} cores, load average {LoadAverage()}, {iterations} timed runs per row after one warm-up; " +
                          $"each run makes {Workload.OutputsPerImage} files (jpg q{Workload.JpegQuality}, webp q{Workload.WebpQuality}, " +
                          $"avif q{Workload.AvifQuality} at boxes {string.Join(" and ", Workload.Boxes)}).");
        Console.WriteLine($"libvips in process: {NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)}.{NetVips.NetVips.Version(2)}");

        var table = new List<string>
        {
            "| source | pipeline | images/s | ms/image | peak RSS (MB) | speed vs Pixerve | RSS vs Pixerve |",
            "|---|---|---:|---:|---:|---:|---:|",
        };
        foreach (var name in sources)
        {
            var source = Path.Combine(images, name);
            if (!File.Exists(source))
            {
                Console.Error.WriteLine($"missing {source}: pass --images DIR or set PIXERVE_TESTDATA");
                return 2;
            }

            (double Seconds, long PeakKb)? pixerve = null;
            for (var index = 0; index < Row.All.Count; index++)
            {
                var row = Row.All[index];
                if (only is not null && !only.Contains(index)) continue;
                if (row.Unavailable is { } reason)
                {
                    Console.WriteLine($"skipped '{row.Name}' on {name}: {reason}");
                    continue;
                }

                Console.WriteLine($"running '{row.Name}' on {name} ...");
                var (seconds, peakKb) = row.Measure(source, iterations) ?? RunWorker(index, source, iterations);
                pixerve ??= (seconds, peakKb);
                table.Add(FormattableString.Invariant(
                    $"| {name} | {row.Name} | {1 / seconds:F2} | {seconds * 1000:F0} | {peakKb / 1024.0:F0} | {pixerve.Value.Seconds / seconds:F2}× | {(double)peakKb / pixerve.Value.PeakKb:F2}× |"));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"load average after: {LoadAverage()}");
        foreach (var line in table) Console.WriteLine(line);
        Console.WriteLine();
        Console.WriteLine("speed vs Pixerve > 1 means faster than Pixerve; RSS vs Pixerve > 1 means more memory. CLI rows' RSS is their largest single process.");
        return 0;
    }

    private static (double Seconds, long PeakKb) RunWorker(int row, string source, int iterations)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
        // Under `dotnet Pixerve.Bench.dll` the process is dotnet itself: hand it the assembly again.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(Orchestrator).Assembly.Location);
        foreach (var arg in new[] { "--worker", $"{row}", source, $"{iterations}" }) start.ArgumentList.Add(arg);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the worker");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var result = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || result is null) throw new InvalidOperationException($"worker for row {row} failed:\n{output}");
        var parts = result.Split(' ');
        return (double.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static string Images(string[] args) => Option(args, "--images") ?? DefaultImages();

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>PIXERVE_TESTDATA, else tests/data/images in the checkout, as the tests find it.</summary>
    private static string DefaultImages() => RepositoryPaths.Images;
}
