namespace Pixerve.Imaging.Inspection.Formats;

/// <summary>
/// The output formats. A value is stored in job state and carried in grain messages: values are appended, never
/// renumbered. Each has exactly one entry in <see cref="OutputFormats.All"/> and, unless it is a copy, exactly one
/// encoder in Pixerve.Imaging; tests hold both.
/// </summary>
public enum OutputFormat
{
    Jpg,
    Png,
    Webp,
    Avif,
    /// <summary>A byte-exact copy of the upload.</summary>
    Original,
    /// <summary>Animated when the source is (frames, delays and loop kept).</summary>
    Gif,
}

/// <summary>The one table of output formats: adding a format is a value above, an entry here and its encoder.</summary>
public static class OutputFormats
{
    /// <summary>The range every format's <c>settings.quality</c> is checked against (a format may ignore it).</summary>
    public const int MinQuality = 1, MaxQuality = 100;

    /// <summary>The range every format's <c>settings.speed</c> is checked against (a format may ignore it).</summary>
    public const int MinSpeed = 0, MaxSpeed = 10;

    /// <summary>In the order the claim table and refusals list them.</summary>
    public static IReadOnlyList<OutputFormatInfo> All { get; } =
    [
        new() { Format = OutputFormat.Jpg, Name = "jpg", Aliases = ["jpeg"], Extension = "jpg", ContentType = "image/jpeg", DefaultQuality = 85, CostRank = 3 },
        // Speed 0–10 maps to zlib level 9–0.
        new() { Format = OutputFormat.Png, Name = "png", Extension = "png", ContentType = "image/png", DefaultSpeed = 5, CostRank = 2 },
        // Speed 3 ≈ libwebp's own default method 4.
        new() { Format = OutputFormat.Webp, Name = "webp", Extension = "webp", ContentType = "image/webp", DefaultQuality = 80, DefaultSpeed = 3, Animates = true, CostRank = 1 },
        // Speed 8 ≈ libvips effort 2: a few hundred ms for a web-sized image, where effort 4 costs ~3×.
        new() { Format = OutputFormat.Avif, Name = "avif", Extension = "avif", ContentType = "image/avif", DefaultQuality = 60, DefaultSpeed = 8, CostRank = 0 },
        new() { Format = OutputFormat.Gif, Name = "gif", Extension = "gif", ContentType = "image/gif", Animates = true, CostRank = 3 },
        new() { Format = OutputFormat.Original, Name = "original", IsCopy = true, CostRank = 3 },
    ];

    private static readonly Dictionary<OutputFormat, OutputFormatInfo> ByFormat = All.ToDictionary(f => f.Format);

    private static readonly Dictionary<string, OutputFormatInfo> ByName = All
        .SelectMany(f => f.Aliases.Prepend(f.Name).Select(name => (name, f)))
        .ToDictionary(e => e.name, e => e.f, StringComparer.OrdinalIgnoreCase);

    /// <summary>The entry of <paramref name="format"/>.</summary>
    public static OutputFormatInfo Info(this OutputFormat format) =>
        ByFormat.TryGetValue(format, out var info) ? info : throw new ArgumentOutOfRangeException(nameof(format), format, "no such output format");

    /// <summary>The format a claim key names (its name or an alias, any case).</summary>
    public static bool TryParse(string name, out OutputFormatInfo info) => ByName.TryGetValue(name, out info!);

    /// <summary>The claim keys, for a refusal: <c>jpg, png, webp, avif, gif or original</c>.</summary>
    public static string Names => Words.Or(All.Select(f => f.Name));
}
