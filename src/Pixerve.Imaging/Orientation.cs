using NetVips;

namespace Pixerve.Imaging;

/// <summary>Applies an EXIF orientation so outputs look the way the camera meant them.</summary>
public static class Orientation
{
    /// <summary>Orientations 5–8 turn the picture a quarter: width and height trade places.</summary>
    public static bool SwapsAxes(int orientation) => orientation is >= 5 and <= 8;

    /// <summary>A new image, upright; the orientation is not kept as metadata (nothing would turn it twice).</summary>
    public static Image Apply(Image source, int orientation)
    {
        if (orientation is < 2 or > 8) return source.Copy();
        // libvips' autorotate reads the orientation from the image: say it, then let it turn and mirror.
        using var tagged = source.Mutate(m => m.Set(GValue.GIntType, "orientation", orientation));
        return tagged.Autorot();
    }
}
