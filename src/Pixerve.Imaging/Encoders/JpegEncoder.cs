using NetVips;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging.Encoders;

/// <summary>JPEG through libvips (mozjpeg-style optimised Huffman tables). Speed does not apply.</summary>
public sealed class JpegEncoder : IOutputEncoder
{
    private static readonly double[] White = [255, 255, 255];

    public OutputFormat Format => OutputFormat.Jpg;

    /// <summary>JPEG has no alpha: translucent pixels are flattened on white, as a viewer would show them on a page.</summary>
    public byte[] Encode(Image image, int quality, int speed)
    {
        using var flat = image.HasAlpha() ? image.Flatten(background: White) : null;
        // Chroma is subsampled 4:2:0 below quality 90 and kept whole from 90 on; Huffman tables are optimised.
        return (flat ?? image).JpegsaveBuffer(q: quality, optimizeCoding: true, subsampleMode: Enums.ForeignSubsample.Auto,
            keep: Enums.ForeignKeep.None);
    }
}
