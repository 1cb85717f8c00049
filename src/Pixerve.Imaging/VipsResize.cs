using NetVips;

namespace Pixerve.Imaging;

/// <summary>
/// Exact-size downscaling with libvips' resize (integer box shrink, then a Lanczos-3 reduce, vectorised), the
/// way its thumbnail does it: translucent pixels are premultiplied for the filter, so colour does not bleed out
/// of transparent areas, and straight again after.
/// </summary>
public static class VipsResize
{
    /// <summary>A new (lazy) image of exactly <paramref name="width"/>×<paramref name="height"/>; the aspect changes if the sides ask it to.</summary>
    public static Image Resize(Image source, int width, int height)
    {
        if (source.Width == width && source.Height == height) return source.Copy();
        var (hscale, vscale) = (width / (double)source.Width, height / (double)source.Height);
        Image resized;
        if (source.HasAlpha())
        {
            using var premultiplied = source.Premultiply();
            using var scaled = premultiplied.Resize(hscale, vscale: vscale, kernel: Enums.Kernel.Lanczos3);
            // Back to the source's depth while still premultiplied: Lanczos' overshoot leaves pixels of alpha near 0,
            // whose colour unpremultiplying would blow up; rounded first, they are transparent black, as before.
            using var quantised = scaled.Cast(source.Format);
            using var straight = quantised.Unpremultiply();
            resized = straight.Cast(source.Format);
        }
        else
        {
            resized = source.Resize(hscale, vscale: vscale, kernel: Enums.Kernel.Lanczos3);
        }

        if (resized.Width == width && resized.Height == height) return resized;
        // libvips rounds the scaled sides itself; a pixel more or less is cropped or repeated at the edge.
        using (resized) return resized.Gravity(Enums.CompassDirection.NorthWest, width, height, extend: Enums.Extend.Copy);
    }
}
