using NetVips;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging;

/// <summary>Where a cover crop is cut from its scaled image, for each gravity.</summary>
public static class CropWindow
{
    /// <summary>
    /// The top-left corner of the <paramref name="width"/>×<paramref name="height"/> window a cover crop of
    /// <paramref name="scaled"/> keeps: the middle for <see cref="CropGravity.Centre"/> (libvips' own rounding), else
    /// where libvips' smart crop cuts. Read from the window smartcrop really cut, not worked out again: its output
    /// is an <c>extract_area</c> of its input, which records where it cut as a negative origin
    /// (<c>xoffset</c>/<c>yoffset</c>, documented on <c>vips_smartcrop</c>). Its <c>attention_x/y</c> outputs would
    /// not do: they are the attention centre, before the window is clamped to the image, and stay 0 for entropy.
    /// </summary>
    public static (int Left, int Top) Find(Image scaled, int width, int height, CropGravity gravity)
    {
        if (gravity is not (CropGravity.Attention or CropGravity.Entropy))
            return ((scaled.Width - width) / 2, (scaled.Height - height) / 2);
        using var cropped = scaled.Smartcrop(width, height, interesting: Interesting(gravity));
        return (-cropped.Xoffset, -cropped.Yoffset);
    }

    /// <summary>libvips' name for how a gravity measures which part to keep.</summary>
    public static Enums.Interesting Interesting(CropGravity gravity) => gravity switch
    {
        CropGravity.Attention => Enums.Interesting.Attention,
        CropGravity.Entropy => Enums.Interesting.Entropy,
        _ => Enums.Interesting.Centre,
    };
}
