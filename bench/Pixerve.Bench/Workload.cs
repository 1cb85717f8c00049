namespace Pixerve.Bench;

/// <summary>What every row produces from each source: the formats and boxes a typical web job asks for.</summary>
public static class Workload
{
    public const int JpegQuality = 80;
    public const int WebpQuality = 80;
    public const int AvifQuality = 60;

    /// <summary>Pixerve's default AVIF speed (8 = libvips effort 2 = aom cpu-used 7); the CLI rows use the same.</summary>
    public const int AvifSpeed = 8;
    public const int AvifEffort = 2;
    public const int AomCpuUsed = 9 - AvifEffort;

    /// <summary>avifenc 0.11 has no -q: quantizer 25 of 63 is about libheif's Q60.</summary>
    public const int AvifQuantizer = 25;

    public static readonly int[] Boxes = [1600, 400];

    public static readonly string[] Sources = ["photo-18mp-sony.jpg", "photo-1920x1280-canon.jpg"];

    /// <summary>Outputs per source image: three formats at each box.</summary>
    public static int OutputsPerImage => 3 * Boxes.Length;

    /// <summary>The size a box gives, aspect kept, never upscaled (as Pixerve's Fit).</summary>
    public static (int Width, int Height) Fit(int width, int height, int box)
    {
        var scale = Math.Min(1.0, Math.Min((double)box / width, (double)box / height));
        return scale >= 1 ? (width, height) : (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }
}
