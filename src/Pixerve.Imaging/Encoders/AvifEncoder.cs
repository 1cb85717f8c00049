using NetVips;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging.Encoders;

/// <summary>AVIF through libvips' libheif and libaom.</summary>
public sealed class AvifEncoder : IOutputEncoder
{
    public OutputFormat Format => OutputFormat.Avif;

    public byte[] Encode(Image image, int quality, int speed) =>
        image.HeifsaveBuffer(
            q: quality,
            effort: Effort(speed),
            compression: Enums.ForeignHeifCompression.Av1,
            subsampleMode: Enums.ForeignSubsample.Auto,
            keep: Enums.ForeignKeep.None);

    /// <summary>Speed 0–10 maps to libvips' AVIF effort 9–0: higher speed means less effort.</summary>
    public static int Effort(int speed) =>
        Math.Clamp((int)Math.Round((10 - speed) * 0.9, MidpointRounding.AwayFromZero), 0, 9);
}
