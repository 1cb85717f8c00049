using Pixerve.Imaging.Inspection.Heif;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace Pixerve.Imaging.Heif;

/// <summary>
/// HEIC (HEVC-coded HEIF, what iPhones write) through the system's libheif. libheif applies the file's rotation
/// and mirroring (irot, imir) itself, so the pixels come out upright and an EXIF orientation inside the file is
/// ignored, as the HEIF specification says. No scaled decode: the full image is decoded, like AVIF.
/// </summary>
public sealed class HeifSourceImage : SourceImage
{
    private readonly List<IDisposable> _decodes = [];
    private GCHandle _pinned;
    private IntPtr _context;
    private IntPtr _handle;

    /// <param name="maxPixels">The pixel limit: libheif is told the longest side it allows (<see cref="HeifLimits.MaximumSide"/>).</param>
    public HeifSourceImage(ReadOnlyMemory<byte> source, long maxPixels = long.MaxValue)
    {
        if (HeifSupport.Unavailable is { } why) throw new UndecodableImageException($"HEIC images cannot be decoded here: {why}");

        // libheif reads the bytes in place for as long as the context lives: pinned until Dispose.
        _pinned = GCHandle.Alloc(source.ToArray(), GCHandleType.Pinned);
        try
        {
            _context = LibHeif.heif_context_alloc();
            if (_context == IntPtr.Zero) throw new UndecodableImageException("source is not a decodable image: libheif could not allocate a context");
            // Before the file is read: libheif checks every ispe against it as it reads, and every grid or overlay
            // output before allocating it.
            LibHeif.heif_context_set_maximum_image_size_limit(_context, HeifLimits.MaximumSide(maxPixels));
            Check(LibHeif.heif_context_read_from_memory_without_copy(_context, _pinned.AddrOfPinnedObject(), (nuint)source.Length, IntPtr.Zero));
            Check(LibHeif.heif_context_get_primary_image_handle(_context, out _handle));
            // The size after libheif's transformations: a 90° irot swaps it.
            Width = LibHeif.heif_image_handle_get_width(_handle);
            Height = LibHeif.heif_image_handle_get_height(_handle);
            if (Width <= 0 || Height <= 0) throw new UndecodableImageException("source is not a decodable image: the HEIC has no image size");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public override int Width { get; }

    public override int Height { get; }

    public override int Orientation => 1;

    public override NetVips.Image Decode(int needWidth, int needHeight)
    {
        var hasAlpha = LibHeif.heif_image_handle_has_alpha_channel(_handle) != 0;
        Check(LibHeif.heif_decode_image(_handle, out var image, LibHeif.ColorspaceRgb, LibHeif.ChromaInterleavedRgba, IntPtr.Zero));
        try
        {
            var width = LibHeif.heif_image_get_width(image, LibHeif.ChannelInterleaved);
            var height = LibHeif.heif_image_get_height(image, LibHeif.ChannelInterleaved);
            var plane = LibHeif.heif_image_get_plane_readonly(image, LibHeif.ChannelInterleaved, out var stride);
            if (plane == IntPtr.Zero || width != Width || height != Height || stride < 4L * width)
                throw new UndecodableImageException("source is not a decodable image: libheif gave an unexpected pixel layout");

            // libheif converts YCbCr to RGB but not between colour spaces: Skia does that on the copy, from the
            // file's ICC profile (an iPhone's Display P3) into sRGB.
            using var colorSpace = IccColorSpace() ?? SKColorSpace.CreateSrgb();
            var straight = new SKImageInfo(width, height, SKColorType.Rgba8888, hasAlpha ? SKAlphaType.Unpremul : SKAlphaType.Opaque, colorSpace);
            var target = new SKImageInfo(width, height, SKColorType.Rgba8888, hasAlpha ? SKAlphaType.Unpremul : SKAlphaType.Opaque, SKColorSpace.CreateSrgb());
            var bitmap = new SKBitmap(target);
            using var from = new SKPixmap(straight, plane, stride);
            if (from.ReadPixels(bitmap.Info, bitmap.GetPixels(), bitmap.RowBytes)) return SkiaSourceImage.Wrap(bitmap, !hasAlpha, _decodes);
            bitmap.Dispose();
            throw new UndecodableImageException("source is not a decodable image: could not convert its pixels");
        }
        finally
        {
            LibHeif.heif_image_release(image);
        }
    }

    private SKColorSpace? IccColorSpace()
    {
        var type = LibHeif.heif_image_handle_get_color_profile_type(_handle);
        if (type is not (LibHeif.ProfileIcc or LibHeif.ProfileRestrictedIcc)) return null;
        var size = LibHeif.heif_image_handle_get_raw_color_profile_size(_handle);
        if (size == 0 || size > 4 * 1024 * 1024) return null;
        var icc = new byte[(int)size];
        return LibHeif.heif_image_handle_get_raw_color_profile(_handle, icc).Code == 0 ? SKColorSpace.CreateIcc(icc) : null;
    }

    public override void Dispose()
    {
        // Images first: they point into the bitmaps.
        foreach (var decode in Enumerable.Reverse(_decodes)) decode.Dispose();
        _decodes.Clear();
        if (_handle != IntPtr.Zero) LibHeif.heif_image_handle_release(_handle);
        if (_context != IntPtr.Zero) LibHeif.heif_context_free(_context);
        if (_pinned.IsAllocated) _pinned.Free();
        (_handle, _context) = (IntPtr.Zero, IntPtr.Zero);
    }

    private static void Check(LibHeif.Error error)
    {
        if (error.Code != 0) throw new UndecodableImageException($"source is not a decodable image: {error.Text}");
    }
}
