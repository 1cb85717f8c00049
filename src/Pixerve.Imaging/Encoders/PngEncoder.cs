using NetVips;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging.Encoders;

/// <summary>PNG through libvips' libspng (faster than SkiaSharp's at the same zlib level and filters, see bench/README.md). Quality does not apply.</summary>
public sealed class PngEncoder : IOutputEncoder
{
    public OutputFormat Format => OutputFormat.Png;

    /// <summary>Every row tries each PNG filter (adaptive), as SkiaSharp's encoder did: smaller files than no filter.</summary>
    public byte[] Encode(Image image, int quality, int speed) =>
        image.PngsaveBuffer(compression: ZlibLevel(speed), filter: Enums.ForeignPngFilter.All, keep: Enums.ForeignKeep.None);

    /// <summary>Speed 0–10 maps to zlib level 9–0: slower means smaller.</summary>
    public static int ZlibLevel(int speed) => Math.Clamp(9 - (int)Math.Round(speed * 0.9), 0, 9);
}
