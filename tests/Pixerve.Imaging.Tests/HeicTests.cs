using SkiaSharp;
using Pixerve.Imaging.Heif;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

/// <summary>HEIC through the system's libheif: decoded upright (irot applied, the file's EXIF orientation ignored) and converted.</summary>
public sealed class HeicTests
{
    private readonly ImageConverter _converter = new();

    private static byte[] Portrait => File.ReadAllBytes(RepositoryPaths.Image("portrait-irot.heic"));

    [Fact]
    public void This_machine_decodes_hevc()
    {
        Assert.True(HeifSupport.HevcDecoding, HeifSupport.Unavailable);
    }

    [Fact]
    public void The_bundled_libvips_cannot_decode_hevc_which_is_why_libheif_is_called_directly()
    {
        LibVips.EnsureConfigured(); // untrusted loaders blocked, as in the silo: heifload is not among them
        using var image = NetVips.Image.HeifloadBuffer(Portrait);
        var e = Assert.Throws<NetVips.VipsException>(() => image.Avg());
        Assert.Contains("HEVC", e.Message);
    }

    [Fact]
    public void The_header_gives_the_stored_size_for_the_pixel_limit()
    {
        Assert.Equal(HeaderRead.Found, ImageDimensions.TryRead(SourceFormat.Heic, Portrait, out var width, out var height));
        Assert.Equal((480, 320), (width, height)); // the stored extents; irot turns them to 320×480
    }

    [Theory]
    [InlineData(OutputFormat.Jpg)]
    [InlineData(OutputFormat.Webp)]
    public void A_rotated_heic_converts_upright_with_the_oriented_size(OutputFormat format)
    {
        var converted = _converter.ConvertImage(Portrait, [new OutputRequest("out", format, new OutputBox(200, 200), 90, null)]);

        Assert.Equal((SourceFormat.Heic, 320, 480, false), (converted.Source.Format, converted.Source.Width, converted.Source.Height, converted.Source.HasAlpha));
        var output = Assert.Single(converted.Outputs);
        Assert.Equal((133, 200), (output.Width, output.Height));
        using var decoded = SKBitmap.Decode(output.Bytes.ToArray());
        Assert.Equal((133, 200), (decoded.Width, decoded.Height));

        // The same picture as the EXIF-6 JPEG it was made from, upright: libheif's irot, not the EXIF tag, turned it.
        var jpeg = _converter.ConvertImage(File.ReadAllBytes(RepositoryPaths.Image("orient-6.jpg")),
            [new OutputRequest("ref.png", OutputFormat.Png, new OutputBox(200, 200), null, null)]).Outputs[0];
        var expected = Raster.Skia(jpeg.Bytes.Span).GridMeans(4);
        var actual = Raster.Skia(output.Bytes.Span).GridMeans(4);
        for (var x = 0; x < 4; x++)
        for (var y = 0; y < 4; y++)
        for (var c = 0; c < 3; c++)
            Assert.True(Math.Abs(expected[x, y, c] - actual[x, y, c]) < 20, $"cell {x},{y} channel {c}: {expected[x, y, c]:F0} vs {actual[x, y, c]:F0}");
    }

    [Fact]
    public void Garbage_behind_a_heic_brand_fails_clearly()
    {
        byte[] garbage = [0, 0, 0, 0x18, .. "ftypheic"u8, 0, 0, 0, 0, .. "mif1heic"u8, .. Enumerable.Repeat((byte)0x5A, 400)];

        var e = Assert.Throws<UndecodableImageException>(() => _converter.ConvertImage(garbage, [new OutputRequest("x.jpg", OutputFormat.Jpg, new OutputBox(50, 50), null, null)]));
        Assert.StartsWith("source is not a decodable image", e.Message);
    }

    [Fact]
    public void A_heic_cut_short_fails_clearly()
    {
        var cut = Portrait[..(Portrait.Length / 2)];

        var e = Assert.Throws<UndecodableImageException>(() => _converter.ConvertImage(cut, [new OutputRequest("x.jpg", OutputFormat.Jpg, new OutputBox(50, 50), null, null)]));
        Assert.StartsWith("source is not a decodable image", e.Message);
    }
}
