using NetVips;
using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Imaging;

/// <summary>The one entry point for encoding an output.</summary>
public static class Encoder
{
    public const int DefaultJpegQuality = 85;
    public const int DefaultWebpQuality = 80;

    public static byte[] Encode(Image image, PlannedOutput output) => output.Format switch
    {
        OutputFormat.Jpg => VipsEncoders.Jpeg(image, output.Quality ?? DefaultJpegQuality),
        OutputFormat.Webp => VipsEncoders.Webp(image, output.Quality ?? DefaultWebpQuality, output.Speed),
        OutputFormat.Avif => VipsEncoders.Avif(image, output.Quality, output.Speed),
        OutputFormat.Png => VipsEncoders.Png(image, output.Speed),
        OutputFormat.Gif => VipsEncoders.Gif(image),
        _ => throw new NotSupportedException($"{output.Format} is not an encoded format"),
    };
}
