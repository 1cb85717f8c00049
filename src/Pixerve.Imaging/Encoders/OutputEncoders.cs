using NetVips;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging.Encoders;

/// <summary>The encoders, discovered: every <see cref="IOutputEncoder"/> class in this library, keyed by its format.</summary>
public static class OutputEncoders
{
    /// <summary>Every encoder found, duplicates included (a test holds one per encoded format).</summary>
    public static IReadOnlyList<IOutputEncoder> Found { get; } = typeof(IOutputEncoder).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IOutputEncoder).IsAssignableFrom(t))
        .Select(t => (IOutputEncoder)Activator.CreateInstance(t)!)
        .ToList();

    // Lazy, so that two encoders of one format fail the first encode (and the test naming them), not every use of Found.
    private static readonly Lazy<Dictionary<OutputFormat, IOutputEncoder>> ByFormat = new(() => Found
        .GroupBy(e => e.Format)
        .ToDictionary(g => g.Key, g => g.Count() == 1
            ? g.Single()
            : throw new InvalidOperationException($"{g.Count()} encoders declare {g.Key}: {string.Join(", ", g.Select(e => e.GetType().Name))}")));

    public static IOutputEncoder For(OutputFormat format) =>
        ByFormat.Value.TryGetValue(format, out var encoder) ? encoder : throw new NotSupportedException($"{format} is not an encoded format");

    /// <summary><paramref name="image"/> encoded as <paramref name="output"/> asks, the format's defaults filling in unset settings.</summary>
    public static byte[] Encode(Image image, OutputRequest output)
    {
        var info = output.Format.Info();
        return For(output.Format).Encode(image, output.Quality ?? info.DefaultQuality ?? 0, output.Speed ?? info.DefaultSpeed ?? 0);
    }
}
