namespace Pixerve.GrainInterfaces.Jobs;

public static class SourceFormatExtensions
{
    public static string Extension(this SourceFormat format) => format switch
    {
        SourceFormat.Jpeg => "jpg",
        SourceFormat.Png => "png",
        SourceFormat.Gif => "gif",
        SourceFormat.Webp => "webp",
        SourceFormat.Avif => "avif",
        SourceFormat.Heic => "heic",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
