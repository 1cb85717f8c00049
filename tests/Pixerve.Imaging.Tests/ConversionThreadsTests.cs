using System.Globalization;
using Xunit.Abstractions;
using Pixerve.Testing;

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
        var wide = threads.Run(() => threads.RunWide(told =>
        {
            wideStarted.Set();
            return (Alongside: Interlocked.Increment(ref running) - 1, LibvipsThreads: NetVips.NetVips.Concurrency, Told: told);
        }));
        // The second thread is free: a wide step that did not wait would start now, beside the other one.
        Assert.False(wideStarted.Wait(TimeSpan.FromSeconds(1)), "the wide step started while another step ran");
        releaseOther.Set();

        var (alongside, libvipsThreads, told) = await wide.WaitAsync(Deadline);
        await other.WaitAsync(Deadline);
        Assert.Equal(0, alongside);
        Assert.Equal(2, libvipsThreads);
        Assert.Equal(2, told);
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
            var (libvipsThreads, told) = await threads.Run(() => threads.RunWide(told => (NetVips.NetVips.Concurrency, told))).WaitAsync(Deadline);
            Assert.Equal(1, libvipsThreads);
            Assert.Equal(1, told);
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
            [new OutputRequest("a.avif", OutputFormat.Avif, new OutputBox(600, 600), null, 9), new OutputRequest("a.webp", OutputFormat.Webp, new OutputBox(300, 300), null, null)]);
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

    [Theory]
    [InlineData("photo-18mp-sony.jpg", 2)] // 12× the pixels of its 1600 px AVIF: the AV1 encode goes last and wide
    [InlineData("photo-1920x1280-canon.jpg", 1)] // 1.4×: it starts first, on one thread
    public void A_lone_conversion_of_a_large_source_encodes_its_largest_avif_last_across_the_threads(string image, int expectedThreads)
    {
        var converter = new ImageConverter(new ImagingOptions { Threads = 2, ThreadNice = 13 });
        var spans = new System.Collections.Concurrent.ConcurrentBag<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == ImagingTelemetry.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) =>
                System.Diagnostics.ActivitySamplingResult.AllData,
            ActivityStopped = spans.Add,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var prefix = $"wide-{expectedThreads}";
        converter.Convert(File.ReadAllBytes(RepositoryPaths.Image(image)),
        [
            new OutputRequest($"{prefix}.avif", OutputFormat.Avif, new OutputBox(1600, 1600), null, null),
            new OutputRequest($"{prefix}.webp", OutputFormat.Webp, new OutputBox(1600, 1600), null, null),
            new OutputRequest($"{prefix}-small.avif", OutputFormat.Avif, new OutputBox(400, 400), null, null),
        ]);

        System.Diagnostics.Activity Span(string name) => spans.Single(s => (string?)s.GetTagItem("pixerve.output") == name);
        var (avif, webp, small) = (Span($"{prefix}.avif"), Span($"{prefix}.webp"), Span($"{prefix}-small.avif"));
        Assert.Equal(expectedThreads, avif.GetTagItem("pixerve.threads"));
        Assert.Equal(1, small.GetTagItem("pixerve.threads"));
        if (expectedThreads > 1)
            Assert.True(avif.StartTimeUtc >= webp.StartTimeUtc + webp.Duration && avif.StartTimeUtc >= small.StartTimeUtc + small.Duration,
                "the wide AV1 encode started before the other encodes had finished");
        else
            Assert.True(avif.StartTimeUtc < webp.StartTimeUtc + webp.Duration, "the AV1 encode, the critical path, waited for the others");
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
