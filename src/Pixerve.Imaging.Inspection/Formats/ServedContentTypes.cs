namespace Pixerve.Imaging.Inspection.Formats;

/// <summary>What a stored file may be: every output format's content type and every upload format's (a kept original).</summary>
public static class ServedContentTypes
{
    /// <summary>Extension (with its dot) → content type, outputs first.</summary>
    public static IReadOnlyList<(string Extension, string ContentType)> All { get; } = OutputFormats.All
        .Where(f => f is { Extension: not null, ContentType: not null })
        .Select(f => ($".{f.Extension}", f.ContentType!))
        .Concat(SourceFormats.All.Select(f => ($".{f.Extension}", f.ContentType)))
        .DistinctBy(e => e.Item1)
        .ToList();
}
