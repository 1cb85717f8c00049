using NetVips;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging.Encoders;

/// <summary>WebP through libvips' libwebp; an animation (frames stacked with their delays and loop) is saved animated.</summary>
public sealed class WebpEncoder : IOutputEncoder
{
    public OutputFormat Format => OutputFormat.Webp;

    public byte[] Encode(Image image, int quality, int speed) =>
        image.WebpsaveBuffer(q: quality, effort: Effort(speed), keep: Enums.ForeignKeep.None);

    /// <summary>Speed 0–10 maps to libwebp's method 6–0.</summary>
    public static int Effort(int speed) =>
        Math.Clamp((int)Math.Round((10 - speed) * 0.6, MidpointRounding.AwayFromZero), 0, 6);
}
