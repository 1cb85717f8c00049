using NetVips;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging;

/// <summary>
/// JPEG and AVIF through libvips' own loaders, each called by name: libvips' detection would hand other bytes to
/// whichever loader claims them. JPEG shrinks on load (libjpeg's DCT scaling by 2, 4 or 8) and streams; AV1 has no
/// cheap scaled decode, and libheif applies the file's rotation itself, so AVIF pixels come out upright.
/// </summary>
public sealed class VipsSourceImage : SourceImage
{
    private readonly Source _bytes;
    private readonly SourceFormat _format;
    private readonly Image _header;
    private readonly List<Image> _decodes = [];

    /// <param name="format">The sniffed format; only JPEG and AVIF are read here.</param>
    public VipsSourceImage(ReadOnlyMemory<byte> source, SourceFormat format = SourceFormat.Avif)
    {
        if (format is not (SourceFormat.Jpeg or SourceFormat.Avif))
            throw new ArgumentOutOfRangeException(nameof(format), format, "libvips reads JPEG and AVIF here");
        LibVips.EnsureConfigured();
        // One unmanaged copy that the header read and the decode both load from.
        _bytes = Source.NewFromMemory(source.Span);
        _format = format;
        try
        {
            // Only the header is read here; pixels are decoded when a Decode result is first rendered.
            _header = Load(1);
        }
        catch (VipsException e)
        {
            _bytes.Dispose();
            throw Undecodable(e);
        }

        Orientation = format == SourceFormat.Jpeg && _header.Contains("orientation") ? Math.Clamp((int)_header.Get("orientation"), 1, 8) : 1;
    }

    public override int Width => _header.Width;

    public override int Height => _header.Height;

    public override int Orientation { get; }

    public override Image Decode(int needWidth, int needHeight)
    {
        try
        {
            using var loaded = Load(_format == SourceFormat.Jpeg ? JpegShrink(needWidth, needHeight) : 1);
            var srgb = Srgb.Import(loaded);
            _decodes.Add(srgb);
            return srgb;
        }
        catch (VipsException e)
        {
            throw Undecodable(e);
        }
    }

    /// <summary>The largest DCT shrink whose result still covers the needed size: libjpeg rounds scaled sides up.</summary>
    private int JpegShrink(int needWidth, int needHeight)
    {
        foreach (var shrink in new[] { 8, 4, 2 })
        {
            if ((Width + shrink - 1) / shrink >= needWidth && (Height + shrink - 1) / shrink >= needHeight) return shrink;
        }

        return 1;
    }

    /// <summary>
    /// Sequential access: the decode streams through the first resize without holding the full-size image. Any
    /// decoder error fails the load (a truncated file is not padded with grey).
    /// </summary>
    private Image Load(int shrink) => _format == SourceFormat.Jpeg
        ? Image.JpegloadSource(_bytes, shrink: shrink, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error)
        : Image.HeifloadSource(_bytes, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error);

    public override void Dispose()
    {
        foreach (var image in _decodes) image.Dispose();
        _header.Dispose();
        _bytes.Dispose();
    }
}
