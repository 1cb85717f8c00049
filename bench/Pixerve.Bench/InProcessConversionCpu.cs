using Pixerve.Imaging;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Bench;

/// <summary>
/// The cross-check of the silo-side conversion CPU: the <c>--e2e</c> job's conversion (jpg q80 + webp q80 at the 1600
/// and 400 boxes) run in this process by the same converter, on one conversion thread as a silo with one CPU has,
/// before any cluster starts; this process's CPU time per conversion.
/// </summary>
internal static class InProcessConversionCpu
{
    public static double SecondsPerJob(byte[] photo, int conversions = 10)
    {
        var converter = new ImageConverter(new ImagingOptions { Threads = 1, ThreadNice = 0 });
        var plan = Workload.Boxes.SelectMany(box => new OutputRequest[]
        {
            new($"{box}.jpg", OutputFormat.Jpg, new OutputBox(box, box), Workload.JpegQuality, null),
            new($"{box}.webp", OutputFormat.Webp, new OutputBox(box, box), Workload.WebpQuality, null),
        }).ToList();
        if (converter.Convert(photo, plan).Count != plan.Count) throw new InvalidOperationException("the in-process conversion made too few outputs");
        var before = ProcessCpu.Seconds();
        for (var i = 0; i < conversions; i++) converter.Convert(photo, plan);
        return (ProcessCpu.Seconds() - before) / conversions;
    }
}
