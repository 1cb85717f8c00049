namespace Pixerve.Imaging.Inspection.Formats;

/// <summary>What Pixerve knows about one accepted upload format besides its magic bytes (<see cref="ImageSniffer"/>) and header (<see cref="ImageDimensions"/>).</summary>
/// <param name="Extension">A copy's extension and the answers' <c>source.format</c>.</param>
/// <param name="ContentType">A copy is stored and served with it.</param>
/// <param name="Title">How refusals name it.</param>
public sealed record SourceFormatInfo(SourceFormat Format, string Extension, string ContentType, string Title);

/// <summary>The one table of upload formats.</summary>
public static class SourceFormats
{
    public static IReadOnlyList<SourceFormatInfo> All { get; } =
    [
        new(SourceFormat.Jpeg, "jpg", "image/jpeg", "JPEG"),
        new(SourceFormat.Png, "png", "image/png", "PNG"),
        new(SourceFormat.Gif, "gif", "image/gif", "GIF"),
        new(SourceFormat.Webp, "webp", "image/webp", "WebP"),
        new(SourceFormat.Avif, "avif", "image/avif", "AVIF"),
        new(SourceFormat.Heic, "heic", "image/heic", "HEIC"),
    ];

    private static readonly Dictionary<SourceFormat, SourceFormatInfo> ByFormat = All.ToDictionary(f => f.Format);

    public static SourceFormatInfo Info(this SourceFormat format) =>
        ByFormat.TryGetValue(format, out var info) ? info : throw new ArgumentOutOfRangeException(nameof(format), format, "no such source format");

    /// <summary>The extension of <paramref name="format"/>: <c>jpg</c>, <c>png</c>, …</summary>
    public static string Extension(this SourceFormat format) => format.Info().Extension;

    /// <summary>For a refusal: <c>JPEG, PNG, GIF, WebP, AVIF or HEIC</c>.</summary>
    public static string Titles => Words.Or(All.Select(f => f.Title));
}

/// <summary>Lists in words.</summary>
internal static class Words
{
    /// <summary><c>a, b or c</c>.</summary>
    public static string Or(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count < 2 ? string.Concat(list) : $"{string.Join(", ", list[..^1])} or {list[^1]}";
    }
}
