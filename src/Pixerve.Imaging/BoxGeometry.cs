using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging;

/// <summary>
/// Where a source lands in an output box: the sizes each fit mode gives. Named apart from the client's <c>Fit</c> enum,
/// which is the mode a caller asks for, not this arithmetic.
/// </summary>
public static class BoxGeometry
{
    /// <summary>The largest size with the source's aspect that fits inside the box, never larger than the source.</summary>
    public static (int Width, int Height) Inside(int width, int height, OutputBox box)
    {
        var scale = Math.Min(1.0, Math.Min((double)box.Width / width, (double)box.Height / height));
        if (scale >= 1.0) return (width, height);
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    /// <summary>
    /// What an upright source of <paramref name="width"/>×<paramref name="height"/> becomes in <paramref name="box"/>: the
    /// output's size, and the aspect-kept scaled size it is cut or stretched from. Nothing is upscaled: a cover or
    /// fill box larger than the source is first reduced (cover: keeping the box's aspect, to the largest that fits
    /// inside the source; fill: each side to at most the source's).
    /// </summary>
    public static OutputShape Shape(int width, int height, OutputBox box)
    {
        switch (box.Fit)
        {
            case FitMode.Cover:
            {
                var reduce = Math.Min(1.0, Math.Min((double)width / box.Width, (double)height / box.Height));
                var target = (Math.Clamp((int)Math.Round(box.Width * reduce), 1, width), Math.Clamp((int)Math.Round(box.Height * reduce), 1, height));
                return new OutputShape(target.Item1, target.Item2, Covering(width, height, target.Item1, target.Item2), box.Fit, box.Gravity);
            }
            case FitMode.Fill:
            {
                var target = (Math.Min(box.Width, width), Math.Min(box.Height, height));
                return new OutputShape(target.Item1, target.Item2, Covering(width, height, target.Item1, target.Item2), box.Fit, box.Gravity);
            }
            default:
            {
                var inside = Inside(width, height, box);
                return new OutputShape(inside.Width, inside.Height, inside, FitMode.Inside, box.Gravity);
            }
        }
    }

    /// <summary>The smallest size with the source's aspect that covers <paramref name="targetWidth"/>×<paramref name="targetHeight"/>.</summary>
    private static (int Width, int Height) Covering(int width, int height, int targetWidth, int targetHeight)
    {
        var scale = Math.Max((double)targetWidth / width, (double)targetHeight / height);
        return (Math.Clamp((int)Math.Round(width * scale), targetWidth, width), Math.Clamp((int)Math.Round(height * scale), targetHeight, height));
    }
}
