using Pixerve.Imaging.Inspection;
using Pixerve.Imaging.Inspection.Heif;

namespace Pixerve.Imaging.Heif;

/// <summary>The pixel limit applied to a HEIF file (AVIF or HEIC) before any decoder reads it, and what libheif is told of it.</summary>
public static class HeifLimits
{
    /// <summary>libheif's own default for the longest side (width and height each) it reads: its MAX_IMAGE_WIDTH/HEIGHT.</summary>
    public const int LibheifDefaultMaximumSide = 32768;

    /// <summary>
    /// The longest side libheif is told to accept (<c>heif_context_set_maximum_image_size_limit</c>, all libheif 1.15
    /// offers: one value for width and height alike, checked on every <c>ispe</c> and every grid and overlay output).
    /// A side longer than the pixel limit can never be within it; libheif's own default is never loosened.
    /// </summary>
    public static int MaximumSide(long maxPixels) => (int)Math.Clamp(maxPixels, 1, LibheifDefaultMaximumSide);

    /// <summary>
    /// Refuses a HEIF file before decoding: ambiguous or malformed in structure (<see cref="HeifStructure"/>), or
    /// declaring any image (the primary, a thumbnail, a tile, a grid's or overlay's output) past
    /// <paramref name="maxPixels"/>. The gateway checks the same at upload; this guards every other way in.
    /// </summary>
    /// <exception cref="UndecodableImageException">The file is refused; the message says why, for the user.</exception>
    public static void EnsureWithin(ReadOnlySpan<byte> file, long maxPixels)
    {
        var reading = HeifStructure.Read(file, whole: true);
        if (reading.Read != HeaderRead.Found)
            throw new UndecodableImageException($"source is not a decodable image: {reading.Problem ?? "its HEIF structure is cut short"}");
        var largest = reading.Largest;
        if (largest.Pixels > maxPixels)
            throw new UndecodableImageException(
                $"source declares an image of {largest.Width}×{largest.Height} pixels ({largest.Of}), more than the limit of {maxPixels} pixels ({ImageLimitsOptions.MaxSourcePixelsKey})");
    }
}
