namespace Pixerve;

/// <summary>The format of an upload, decided from its magic bytes.</summary>
[GenerateSerializer, Alias("pixerve.SourceFormat")]
public enum SourceFormat
{
    Jpeg,
    Png,
    Gif,
    Webp,
    Avif,
}

public static class SourceFormatExtensions
{
    public static string Extension(this SourceFormat format) => format switch
    {
        SourceFormat.Jpeg => "jpg",
        SourceFormat.Png => "png",
        SourceFormat.Gif => "gif",
        SourceFormat.Webp => "webp",
        SourceFormat.Avif => "avif",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
