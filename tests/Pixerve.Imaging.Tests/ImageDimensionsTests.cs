using SkiaSharp;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

public sealed class ImageDimensionsTests
{
    [Theory]
    [InlineData("photo-1920x1280-canon.jpg")]
    [InlineData("photo-18mp-sony.jpg")]
    [InlineData("orient-6.jpg")]
    [InlineData("cmyk.jpg")]
    [InlineData("gray.jpg")]
    [InlineData("progressive.jpg")]
    [InlineData("alpha.png")]
    [InlineData("png16.png")]
    [InlineData("animated.gif")]
    [InlineData("photo-wood.webp")]
    [InlineData("va.webp")]
    [InlineData("vb.webp")]
    public void Header_dimensions_match_the_decoder(string file)
    {
        var bytes = File.ReadAllBytes(RepositoryPaths.Image(file));
        using var codec = SKCodec.Create(new SKMemoryStream(bytes));
        Assert.Equal((codec.Info.Width, codec.Info.Height), Read(bytes));
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Webp, 100, "VP8L")] // lossless
    [InlineData(SKEncodedImageFormat.Webp, 80, "VP8X")] // lossy with alpha: extended
    [InlineData(SKEncodedImageFormat.Png, 100, "IHDR")]
    [InlineData(SKEncodedImageFormat.Jpeg, 80, null)]
    public void Encoded_sizes_are_read_back(SKEncodedImageFormat format, int quality, string? chunk)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(301, 7, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.Erase(new SKColor(10, 20, 30, 128));
        var bytes = bitmap.Encode(format, quality).ToArray();
        if (chunk is not null) Assert.Equal(chunk, System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal((301, 7), Read(bytes));
    }

    [Fact]
    public void Bomb_png_reports_its_claimed_size() =>
        Assert.Equal((40000, 40000), Read(File.ReadAllBytes(RepositoryPaths.Image("hostile/bomb-40000x40000.png"))));

    [Fact]
    public void Jpeg_cut_before_its_frame_header_needs_more()
    {
        var bytes = File.ReadAllBytes(RepositoryPaths.Image("photo-1920x1280-canon.jpg"));
        var sof = FindSof(bytes);
        Assert.Equal(HeaderRead.NeedMore, ImageDimensions.TryRead(SourceFormat.Jpeg, bytes.AsSpan(0, sof), out _, out _));
    }

    [Fact]
    public void Jpeg_with_scan_data_before_any_frame_header_is_invalid()
    {
        byte[] bytes = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 0xFF, 0xD9];
        Assert.Equal(HeaderRead.Invalid, ImageDimensions.TryRead(SourceFormat.Jpeg, bytes, out _, out _));
    }

    [Fact]
    public void Png_without_ihdr_first_is_invalid()
    {
        var bytes = File.ReadAllBytes(RepositoryPaths.Image("alpha.png"))[..64];
        "IDAT"u8.CopyTo(bytes.AsSpan(12));
        Assert.Equal(HeaderRead.Invalid, ImageDimensions.TryRead(SourceFormat.Png, bytes, out _, out _));
    }

    private static (int, int) Read(byte[] bytes)
    {
        var format = ImageSniffer.Detect(bytes) ?? throw new InvalidOperationException("not sniffed");
        Assert.Equal(HeaderRead.Found, ImageDimensions.TryRead(format, bytes.AsSpan(0, Math.Min(bytes.Length, 256 * 1024)), out var w, out var h));
        return (w, h);
    }

    /// <summary>Offset of the first SOF0/SOF2 marker, found the naive way (the test file has none in its EXIF).</summary>
    private static int FindSof(byte[] bytes)
    {
        for (var i = 2; i + 1 < bytes.Length; i++)
            if (bytes[i] == 0xFF && bytes[i + 1] is 0xC0 or 0xC2) return i;
        throw new InvalidOperationException("no SOF");
    }
}
