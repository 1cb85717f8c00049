using NetVips;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging.Encoders;

/// <summary>
/// How one output format is written: one class per format, found by <see cref="OutputEncoders"/> from its
/// <see cref="Format"/> (no list to add it to). Everything else about the format is its entry in
/// <see cref="OutputFormats"/>.
/// </summary>
public interface IOutputEncoder
{
    OutputFormat Format { get; }

    /// <summary>
    /// <paramref name="image"/> (sRGB, 8-bit RGB or RGBA with straight alpha; for a format that animates, possibly
    /// frames stacked <c>page-height</c> apart with their delays and loop) as a file, metadata never written.
    /// </summary>
    /// <param name="quality">The claim's, else the format's default; 0 for a format that ignores quality.</param>
    /// <param name="speed">The claim's, else the format's default; 0 for a format that ignores speed.</param>
    byte[] Encode(Image image, int quality, int speed);
}
