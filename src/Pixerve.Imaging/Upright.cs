using NetVips;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging;

/// <summary>A source seen the way it is meant to be shown: sizes after its EXIF orientation is applied.</summary>
internal sealed class Upright(SourceImage source, SourceFormat format)
{
    private readonly bool _swap = Orientation.SwapsAxes(source.Orientation);

    public int Width => _swap ? source.Height : source.Width;

    public int Height => _swap ? source.Width : source.Height;

    /// <summary>
    /// Decodes (shrinking on load where the format can), resizes to <paramref name="size"/> in the same streaming
    /// pass, turns the result upright and renders it into memory. Decoder errors become the user's message.
    /// </summary>
    public Image Decode((int Width, int Height) size)
    {
        var (width, height) = _swap ? (size.Height, size.Width) : size;
        try
        {
            var decoded = source.Decode(width, height);
            var resized = ImageConverter.Materialise(VipsResize.Resize(decoded, width, height));
            if (source.Orientation == 1) return resized;
            using (resized) return ImageConverter.Materialise(Orientation.Apply(resized, source.Orientation));
        }
        catch (VipsException e)
        {
            throw SourceImage.Undecodable(e);
        }
    }

    /// <summary>Describes the source, its preview scaled from <paramref name="scaled"/> (an upright resize of it).</summary>
    public SourceDescription Describe(Image scaled) =>
        new(format, Width, Height, scaled.HasAlpha(), 1, SourcePreviewMaker.Make(scaled));
}
