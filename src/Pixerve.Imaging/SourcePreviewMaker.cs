using NetVips;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging;

/// <summary>Makes a <see cref="SourcePreview"/> from an upright resize the conversion made anyway: no extra decode.</summary>
internal static class SourcePreviewMaker
{
    /// <summary>The preview's size for an upright source of <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static (int Width, int Height) Size(int width, int height) =>
        BoxGeometry.Inside(width, height, new OutputBox(SourcePreview.MaxSide, SourcePreview.MaxSide));

    public static SourcePreview Make(Image scaled)
    {
        var (width, height) = Size(scaled.Width, scaled.Height);
        using var small = VipsResize.Resize(scaled, width, height);
        // Straight alpha already (libvips never keeps pixels premultiplied between steps); opaque gains its alpha band.
        using var rgba = small.HasAlpha() ? small.Copy() : small.Bandjoin(255);
        return new SourcePreview(rgba.Width, rgba.Height, rgba.WriteToMemory<byte>());
    }
}
