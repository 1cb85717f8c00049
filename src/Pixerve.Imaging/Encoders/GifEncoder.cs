using NetVips;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging.Encoders;

/// <summary>
/// GIF through libvips: quantised to a 256-colour palette (one transparent) and dithered; an animation (frames
/// stacked with their delays and loop) is saved animated. Quality and speed do not apply.
/// </summary>
public sealed class GifEncoder : IOutputEncoder
{
    public OutputFormat Format => OutputFormat.Gif;

    public byte[] Encode(Image image, int quality, int speed) => image.GifsaveBuffer(keep: Enums.ForeignKeep.None);
}
