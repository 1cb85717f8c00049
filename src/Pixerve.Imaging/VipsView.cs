using NetVips;
using SkiaSharp;

namespace Pixerve.Imaging;

/// <summary>
/// A bitmap's pixels seen by libvips. Opaque pixels are shared without a copy; premultiplied ones are copied
/// once to straight alpha, which is what libvips' savers expect. The bitmap must outlive the view.
/// </summary>
internal sealed class VipsView : IDisposable
{
    private readonly SKBitmap? _copy;
    private readonly Image _memory;
    private readonly Image _rgba;
    private readonly Image? _rgb;

    public VipsView(SKBitmap bitmap, bool straightAlpha = true)
    {
        LibVips.EnsureConfigured();
        _copy = NeedsCopy(bitmap, straightAlpha) ? Convert(bitmap, straightAlpha) : null;
        var pixels = _copy ?? bitmap;
        _memory = Image.NewFromMemory(pixels.GetPixels(), (ulong)pixels.ByteCount, pixels.Width, pixels.Height, 4, Enums.BandFormat.Uchar);
        // Raw memory is "multiband" to libvips, whose savers would then drop the fourth band instead of
        // treating it as alpha; say what it is (a header change, no pixel copy).
        _rgba = _memory.Copy(interpretation: Enums.Interpretation.Srgb);
        // An opaque image is saved without an alpha channel: smaller and faster for every format.
        if (bitmap.AlphaType == SKAlphaType.Opaque && straightAlpha) _rgb = _rgba.ExtractBand(0, n: 3);
    }

    /// <summary>RGB for an opaque bitmap (when straight alpha was asked for), else RGBA.</summary>
    public Image Image => _rgb ?? _rgba;

    public void Dispose()
    {
        _rgb?.Dispose();
        _rgba.Dispose();
        _memory.Dispose();
        _copy?.Dispose();
    }

    private static bool NeedsCopy(SKBitmap bitmap, bool straightAlpha) =>
        bitmap.ColorType != SKColorType.Rgba8888 || bitmap.RowBytes != bitmap.Width * 4 ||
        (straightAlpha && bitmap.AlphaType == SKAlphaType.Premul);

    private static SKBitmap Convert(SKBitmap bitmap, bool straightAlpha)
    {
        var alpha = straightAlpha && bitmap.AlphaType == SKAlphaType.Premul ? SKAlphaType.Unpremul : bitmap.AlphaType;
        var copy = new SKBitmap(new SKImageInfo(bitmap.Width, bitmap.Height, SKColorType.Rgba8888, alpha, bitmap.ColorSpace));
        using var pixmap = bitmap.PeekPixels();
        if (pixmap.ReadPixels(copy.Info, copy.GetPixels(), copy.RowBytes)) return copy;
        copy.Dispose();
        throw new InvalidOperationException($"could not convert {bitmap.ColorType}/{bitmap.AlphaType} pixels for libvips");
    }
}
