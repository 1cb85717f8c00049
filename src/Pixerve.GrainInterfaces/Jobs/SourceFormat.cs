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
