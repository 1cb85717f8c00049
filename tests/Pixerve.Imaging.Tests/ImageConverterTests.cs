using SkiaSharp;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

public sealed class ImageConverterTests
{
    private readonly ImageConverter _converter = new();

    private static OutputRequest Output(OutputFormat format, int width, int height) =>
        new($"out.{format}", format, new OutputBox(width, height), null, null);

    private static SKBitmap DecodeOutput(EncodedOutput output) =>
        SKBitmap.Decode(output.Bytes.ToArray()) ?? throw new InvalidOperationException("output does not decode");

    [Fact]
    public void Exif_orientation_6_is_applied()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("orient-6.jpg"));
        var output = Assert.Single(_converter.Convert(source, [Output(OutputFormat.Png, 8192, 8192)]));
        using var bitmap = DecodeOutput(output);
        Assert.Equal((1280, 1920), (bitmap.Width, bitmap.Height));

        // The same photo without the tag, turned by hand, must match pixel for pixel in a corner.
        var upright = Assert.Single(_converter.Convert(File.ReadAllBytes(RepositoryPaths.Image("photo-1920x1280-canon.jpg")),
            [Output(OutputFormat.Png, 8192, 8192)]));
        using var reference = DecodeOutput(upright);
        // Rotating 90° clockwise puts the source's bottom-left corner at the top-left.
        AssertClose(reference.GetPixel(0, reference.Height - 1), bitmap.GetPixel(0, 0));
        AssertClose(reference.GetPixel(reference.Width - 1, 0), bitmap.GetPixel(bitmap.Width - 1, bitmap.Height - 1));
    }

    [Fact]
    public void Jpeg_is_never_upscaled_and_keeps_aspect()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("photo-1920x1280-canon.jpg"));
        var outputs = _converter.Convert(source, [Output(OutputFormat.Jpg, 4000, 4000), Output(OutputFormat.Webp, 300, 300)]);
        Assert.Equal((1920, 1280), (outputs[0].Width, outputs[0].Height));
        Assert.Equal((300, 200), (outputs[1].Width, outputs[1].Height));
        using var small = DecodeOutput(outputs[1]);
        Assert.Equal((300, 200), (small.Width, small.Height));
    }

    [Fact]
    public void Alpha_is_kept_in_png_and_flattened_on_white_in_jpg()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("alpha.png"));
        var outputs = _converter.Convert(source, [Output(OutputFormat.Png, 1200, 800), Output(OutputFormat.Jpg, 1200, 800)]);
        using var png = DecodeOutput(outputs[0]);
        using var jpg = DecodeOutput(outputs[1]);

        var translucent = Enumerable.Range(0, png.Width * png.Height)
            .Select(i => (X: i % png.Width, Y: i / png.Width))
            .First(p => png.GetPixel(p.X, p.Y).Alpha == 0);
        Assert.Equal(0, png.GetPixel(translucent.X, translucent.Y).Alpha);
        var flattened = jpg.GetPixel(translucent.X, translucent.Y);
        Assert.True(flattened.Red > 240 && flattened.Green > 240 && flattened.Blue > 240, $"expected white, got {flattened}");
    }

    [Fact]
    public void Text_is_reported_as_undecodable()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("hostile/not-an-image.jpg"));
        var error = Assert.Throws<UndecodableImageException>(() => _converter.Convert(source, [Output(OutputFormat.Jpg, 10, 10)]));
        Assert.StartsWith("source is not a decodable image", error.Message);
    }

    [Fact]
    public void Truncated_jpeg_is_reported_as_undecodable_not_padded()
    {
        // The header reads, the scan data stops at 400 KB: libjpeg would pad the rest with grey unless told to fail.
        var source = File.ReadAllBytes(RepositoryPaths.Image("hostile/truncated.jpg"));
        var error = Assert.Throws<UndecodableImageException>(() => _converter.Convert(source, [Output(OutputFormat.Jpg, 100, 100)]));
        Assert.StartsWith("source is not a decodable image", error.Message);
        Assert.Throws<UndecodableImageException>(() => _converter.Convert(source, [new OutputRequest("copy.jpg", OutputFormat.Original, null, null, null)]));
    }

    [Fact]
    public void Pixel_bomb_is_refused_by_the_converter_too()
    {
        // Defence in depth: the gateway refuses it at upload, but a staged file must not be decoded either.
        var bomb = File.ReadAllBytes(RepositoryPaths.Image("hostile/bomb-40000x40000.png"));
        var error = Assert.Throws<UndecodableImageException>(() => _converter.Convert(bomb, [Output(OutputFormat.Jpg, 100, 100)]));
        Assert.Contains("40000×40000", error.Message);

        var strict = new ImageConverter(new ImagingOptions(), new ImageLimitsOptions { MaxSourcePixels = 400 * 225 - 1 });
        Assert.Throws<UndecodableImageException>(() => strict.Convert(File.ReadAllBytes(RepositoryPaths.Image("vb.jpg")), [Output(OutputFormat.Jpg, 10, 10)]));
    }

    [Fact]
    public void Copy_returns_the_source_bytes_unchanged()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("vb.jpg"));
        var output = Assert.Single(_converter.Convert(source, [new OutputRequest("copy.jpg", OutputFormat.Original, null, null, null)]));
        Assert.Equal(source, output.Bytes.ToArray());
    }

    private static void AssertClose(SKColor expected, SKColor actual)
    {
        const int tolerance = 12;
        Assert.True(Math.Abs(expected.Red - actual.Red) <= tolerance &&
                    Math.Abs(expected.Green - actual.Green) <= tolerance &&
                    Math.Abs(expected.Blue - actual.Blue) <= tolerance, $"expected about {expected}, got {actual}");
    }
}

public sealed class SourceProofTests
{
    private static readonly OutputRequest Original = new("a.gif", OutputFormat.Original, null, null, null);

    [Fact]
    public void An_originals_only_job_still_proves_its_source_decodes()
    {
        var converter = new ImageConverter();
        var fake = "GIF89a<script>alert(document.domain)</script>"u8.ToArray();
        Assert.Throws<UndecodableImageException>(() => converter.Convert(fake, [Original]));

        var gif = File.ReadAllBytes(RepositoryPaths.Image("animated.gif"));
        var output = Assert.Single(converter.Convert(gif, [Original]));
        Assert.Equal(gif, output.Bytes.ToArray());
    }

    [Fact]
    public void Each_source_goes_to_the_loader_of_its_sniffed_format()
    {
        // The AVIF path takes libvips' heif loader by name: a PNG handed to it is refused, not auto-detected.
        var png = File.ReadAllBytes(RepositoryPaths.Image("alpha.png"));
        Assert.Throws<UndecodableImageException>(() => new VipsSourceImage(png));
        // Bytes that no sniffed format claims never reach a decoder.
        Assert.Throws<UndecodableImageException>(() => SourceImage.Open("BM\0\0\0\0\0\0\0\0\0\0\0\0"u8.ToArray()));
    }
}

public sealed class VipsUntrustedTests
{
    [Fact]
    public void Libvips_runs_with_its_untrusted_operations_blocked_and_the_heif_loader_open()
    {
        // Any AVIF conversion configures libvips the way the converter uses it.
        new ImageConverter().Convert(File.ReadAllBytes(RepositoryPaths.Image("va.jpg")),
            [new OutputRequest("a.avif", OutputFormat.Avif, new OutputBox(8, 8), null, 10)]);

        var flags = new Dictionary<string, NetVips.Enums.OperationFlags>();
        foreach (var name in new[] { "vipsload", "matrixload", "csvload", "matload", "fitsload", "magickload", "rawload", "analyzeload", "ppmload", "heifload_buffer", "heifload_source", "jpegload_source" })
        {
            try { using var op = NetVips.Operation.NewFromName(name); flags[name] = op.GetFlags(); }
            catch (NetVips.VipsException) { } // not built into this libvips
        }

        var untrusted = flags.Where(f => f.Value.HasFlag(NetVips.Enums.OperationFlags.UNTRUSTED)).ToList();
        Assert.NotEmpty(untrusted);
        Assert.All(untrusted, f => Assert.True(f.Value.HasFlag(NetVips.Enums.OperationFlags.BLOCKED), f.Key));
        Assert.False(flags["heifload_buffer"].HasFlag(NetVips.Enums.OperationFlags.BLOCKED));
        // The loaders the converter calls by name.
        Assert.False(flags["heifload_source"].HasFlag(NetVips.Enums.OperationFlags.BLOCKED));
        Assert.False(flags["jpegload_source"].HasFlag(NetVips.Enums.OperationFlags.BLOCKED));
    }
}
