namespace Pixerve.Imaging.Inspection.Formats;

/// <summary>The format of an upload, decided from its magic bytes.</summary>
public enum SourceFormat
{
    Jpeg,
    Png,
    Gif,
    Webp,
    Avif,
    /// <summary>HEVC-coded HEIF (what iPhones write); appended last, as values are stored.</summary>
    Heic,
}
