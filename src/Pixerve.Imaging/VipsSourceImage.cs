using System.Runtime.InteropServices;
using NetVips;
using SkiaSharp;

namespace Pixerve.Imaging;

/// <summary>
/// AVIF through libvips (libheif + dav1d). libheif applies the file's rotation and mirroring itself, so the
/// pixels come out upright. AV1 has no cheap scaled decode: the full image is decoded.
/// </summary>
public sealed class VipsSourceImage : SourceImage
{
    private readonly Image _image;

    public VipsSourceImage(ReadOnlyMemory<byte> source)
    {
        LibVips.EnsureConfigured();
        try
        {
            // Only the header is read here; pixels are decoded in Decode. The heif loader by name: libvips' own
            // detection would hand other bytes to whichever loader claims them.
            _image = Image.HeifloadBuffer(source.ToArray(), failOn: Enums.FailOn.Error);
        }
        catch (VipsException e)
        {
            throw new UndecodableImageException($"source is not a decodable image: {FirstLine(e.Message)}");
        }
    }

    public override int Width => _image.Width;

    public override int Height => _image.Height;

    public override SKEncodedOrigin Origin => SKEncodedOrigin.TopLeft;

    public override SKBitmap Decode(int needWidth, int needHeight)
    {
        byte[] pixels;
        bool hasAlpha;
        try
        {
            using var srgb = _image.Colourspace(Enums.Interpretation.Srgb);
            using var eight = srgb.Cast(Enums.BandFormat.Uchar);
            hasAlpha = eight.HasAlpha();
            using var rgba = hasAlpha ? eight.Copy() : eight.Bandjoin(255);
            pixels = rgba.WriteToMemory<byte>();
        }
        catch (VipsException e)
        {
            throw new UndecodableImageException($"source is not a decodable image: {FirstLine(e.Message)}");
        }

        var straight = new SKImageInfo(Width, Height, SKColorType.Rgba8888, hasAlpha ? SKAlphaType.Unpremul : SKAlphaType.Opaque, SKColorSpace.CreateSrgb());
        if (pixels.Length != straight.BytesSize) throw new UndecodableImageException("source is not a decodable image: unexpected pixel layout");
        var bitmap = new SKBitmap(hasAlpha ? straight.WithAlphaType(SKAlphaType.Premul) : straight);
        // Skia resamples premultiplied pixels (no dark fringes at edges), so straight alpha is converted on the copy.
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            using var from = new SKPixmap(straight, handle.AddrOfPinnedObject(), straight.RowBytes);
            if (from.ReadPixels(bitmap.Info, bitmap.GetPixels(), bitmap.RowBytes)) return bitmap;
        }
        finally
        {
            handle.Free();
        }

        bitmap.Dispose();
        throw new UndecodableImageException("source is not a decodable image: could not convert its pixels");
    }

    public override void Dispose() => _image.Dispose();

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
