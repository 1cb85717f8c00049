using System.Globalization;
using Pixerve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pixerve.Imaging.Tests;

/// <summary>Not beside other tests: libvips' thread count is process-wide, and other converters' wide steps change it.</summary>
[CollectionDefinition(nameof(ConversionThreadsTests), DisableParallelization = true)]
public sealed class ConversionThreadsCollection;

[Collection(nameof(ConversionThreadsTests))]
public sealed class ConversionThreadsTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_wide_step_of_the_only_conversion_waits_for_the_other_threads_and_threads_libvips_across_them()
    {
        // A budget of its own (2 threads, nice 11): no other test's steps share it.
        var threads = ConversionThreads.For(new ImagingOptions { Threads = 2, ThreadNice = 11 });
        using var conversion = threads.EnterConversion();
        var running = 0;
        using var otherStarted = new ManualResetEventSlim();
        using var releaseOther = new ManualResetEventSlim();
        var other = threads.Run(() =>
        {
            Interlocked.Increment(ref running);
            otherStarted.Set();
            releaseOther.Wait(Deadline);
            return Interlocked.Decrement(ref running);
        });
        Assert.True(otherStarted.Wait(Deadline));

        using var wideStarted = new ManualResetEventSlim();
        var wide = threads.Run(() => threads.RunWide(() =>
        {
            wideStarted.Set();
            return (Alongside: Interlocked.Increment(ref running) - 1, LibvipsThreads: NetVips.NetVips.Concurrency);
        }));
        // The second thread is free: a wide step that did not wait would start now, beside the other one.
        Assert.False(wideStarted.Wait(TimeSpan.FromSeconds(1)), "the wide step started while another step ran");
        releaseOther.Set();

        var (alongside, libvipsThreads) = await wide.WaitAsync(Deadline);
        await other.WaitAsync(Deadline);
        Assert.Equal(0, alongside);
        Assert.Equal(2, libvipsThreads);
        Assert.Equal(1, NetVips.NetVips.Concurrency);
    }

    [Fact]
    public async Task With_another_conversion_in_flight_a_wide_step_takes_one_thread_and_waits_for_nothing()
    {
        var threads = ConversionThreads.For(new ImagingOptions { Threads = 2, ThreadNice = 12 });
        using var first = threads.EnterConversion();
        using var second = threads.EnterConversion();
        using var releaseOther = new ManualResetEventSlim();
        var other = threads.Run(() => releaseOther.Wait(Deadline));
        try
        {
            var libvipsThreads = await threads.Run(() => threads.RunWide(() => NetVips.NetVips.Concurrency)).WaitAsync(Deadline);
            Assert.Equal(1, libvipsThreads);
        }
        finally
        {
            releaseOther.Set();
        }

        Assert.True(await other.WaitAsync(Deadline));
    }

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
