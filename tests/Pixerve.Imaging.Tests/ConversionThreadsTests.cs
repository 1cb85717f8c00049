using System.Globalization;
using Pixerve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pixerve.Imaging.Tests;

public sealed class ConversionThreadsTests(ITestOutputHelper log)
{
    [Fact]
    public void Conversion_threads_and_the_threads_libvips_starts_from_them_run_niced()
    {
        if (!OperatingSystem.IsLinux()) return; // nice values are per thread on Linux only
        // A budget of its own (3 threads, nice 7), so the threads are this test's whatever else ran in the process.
        var converter = new ImageConverter(new ImagingOptions { Threads = 3, ThreadNice = 7 });
        var outputs = converter.Convert(File.ReadAllBytes(RepositoryPaths.Image("photo-1920x1280-canon.jpg")),
            [new PlannedOutput("a.avif", OutputFormat.Avif, new BoxSize(600, 600), null, 9), new PlannedOutput("a.webp", OutputFormat.Webp, new BoxSize(300, 300), null, null)]);
        Assert.Equal(2, outputs.Count);

        var threads = Threads();
        foreach (var t in threads) log.WriteLine($"{t.Name} {t.Nice}");
        // The kernel's view, not the request's: "pixerve-convert-N" is cut to 15 characters in /proc.
        var ours = threads.Where(t => t.Name.StartsWith("pixerve-convert", StringComparison.Ordinal) && t.Nice == 7).ToList();
        Assert.Equal(3, ours.Count);
        // libvips' workers started by those threads inherit the value (seen when this test runs alone: workers
        // started earlier by other tests' threads are reused and keep theirs).
        Assert.Contains(threads, t => t.Name == "libvips worker" && t.Nice > 0);
    }

    private static List<(string Name, int Nice)> Threads() =>
        Directory.GetDirectories("/proc/self/task").Select(dir =>
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (name, int.Parse(fields[16], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                return ("gone", 0);
            }
        }).ToList();
}
