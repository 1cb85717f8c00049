using Pixerve.Testing;


namespace Pixerve.Imaging.Tests;

/// <summary>
/// What each awkward source must become. References are decodes of the same picture by SkiaSharp or libvips;
/// comparisons are of 8×8 grid cell means, so they survive resizing and lossy encoding but not a colour cast,
/// an inversion, a wrong frame or a rotation.
/// </summary>
public sealed class FidelityTests
{
    /// <summary>Largest allowed difference of a cell's mean channel value, out of 255.</summary>
    private const double Tolerance = 8;

    private readonly ImageConverter _converter = new();

    private static byte[] Read(string name) => File.ReadAllBytes(RepositoryPaths.Image(name));

    private static OutputRequest Output(OutputFormat format, int side) =>
        new($"out.{format}", format, new OutputBox(side, side), 90, 10);

    private static Raster Decode(EncodedOutput output) =>
        output.Output.Format == OutputFormat.Avif ? Raster.Vips(output.Bytes.ToArray()) : Raster.Skia(output.Bytes.Span);

    private static void AssertLooksLike(Raster expected, Raster actual, double tolerance = Tolerance)
    {
        var distance = Raster.GridDistance(expected, actual);
        Assert.True(distance <= tolerance, $"a grid cell differs by {distance:F1} (allowed {tolerance})");
    }

    [Fact]
    public void Cmyk_jpeg_becomes_srgb_with_its_colours_kept()
    {
        // cmyk.jpg is the Canon photo separated to CMYK without a profile: its RGB twin is the reference.
        var output = Assert.Single(_converter.Convert(Read("cmyk.jpg"), [Output(OutputFormat.Jpg, 480)]));
        using var encoded = NetVips.Image.NewFromBuffer(output.Bytes.ToArray());
        Assert.Equal(NetVips.Enums.Interpretation.Srgb, encoded.Interpretation);
        Assert.Equal(3, encoded.Bands);
        AssertLooksLike(Raster.Skia(Read("photo-1920x1280-canon.jpg")), Decode(output));
    }

    [Fact]
    public void Jpeg_with_an_embedded_wide_gamut_profile_is_converted_to_srgb()
    {
        // The Canon photo moved into Display P3 (libvips' built-in profile), the profile embedded: its numbers are
        // not sRGB numbers, so only a converter that applies the profile gets the photo's colours back.
        var photo = Read("photo-1920x1280-canon.jpg");
        using var srgb = NetVips.Image.JpegloadBuffer(photo);
        using var p3 = srgb.IccTransform("p3", inputProfile: "srgb", embedded: false, intent: NetVips.Enums.Intent.Relative, depth: 8);
        var source = p3.JpegsaveBuffer(q: 95, keep: NetVips.Enums.ForeignKeep.Icc);

        var output = Assert.Single(_converter.Convert(source, [Output(OutputFormat.Png, 480)]));
        var reference = Raster.Skia(photo);
        var converted = Raster.GridDistance(reference, Decode(output));
        var unconverted = Raster.GridDistance(reference, Raster.Vips(p3));
        Assert.True(converted <= Tolerance, $"a grid cell differs by {converted:F1} (allowed {Tolerance})");
        Assert.True(unconverted > converted + 3, $"the P3 numbers read as sRGB differ by {unconverted:F1}, the conversion by {converted:F1}");
    }

    [Theory]
    [InlineData(OutputFormat.Jpg)]
    [InlineData(OutputFormat.Png)]
    [InlineData(OutputFormat.Webp)]
    [InlineData(OutputFormat.Avif)]
    public void Gray_jpeg_encodes_to_every_format_and_stays_gray(OutputFormat format)
    {
        var source = Read("gray.jpg");
        var output = Assert.Single(_converter.Convert(source, [Output(format, 300)]));
        var decoded = Decode(output);
        Assert.Equal((300, 200), (decoded.Width, decoded.Height));
        AssertLooksLike(Raster.Skia(source), decoded);

        var means = decoded.GridMeans();
        for (var gx = 0; gx < 8; gx++)
        for (var gy = 0; gy < 8; gy++)
            Assert.True(Math.Abs(means[gx, gy, 0] - means[gx, gy, 1]) < 3 && Math.Abs(means[gx, gy, 1] - means[gx, gy, 2]) < 3,
                $"cell {gx},{gy} is tinted: {means[gx, gy, 0]:F0}/{means[gx, gy, 1]:F0}/{means[gx, gy, 2]:F0}");
    }

    [Fact]
    public void Progressive_jpeg_decodes_like_the_baseline_one()
    {
        var progressive = Assert.Single(_converter.Convert(Read("progressive.jpg"), [Output(OutputFormat.Png, 800)]));
        var baseline = Assert.Single(_converter.Convert(Read("photo-1920x1280-canon.jpg"), [Output(OutputFormat.Png, 800)]));
        Assert.Equal((800, 533), (progressive.Width, progressive.Height));
        AssertLooksLike(Decode(baseline), Decode(progressive), tolerance: 3);
    }

    [Fact]
    public void Png16_input_converts_like_the_photo_it_holds()
    {
        var output = Assert.Single(_converter.Convert(Read("png16.png"), [Output(OutputFormat.Webp, 640)]));
        Assert.Equal((640, 427), (output.Width, output.Height));
        AssertLooksLike(Raster.Skia(Read("photo-1920x1280-canon.jpg")), Decode(output));
    }

    [Fact]
    public void Sixteen_bit_rgba_png_keeps_colour_and_alpha()
    {
        var source = Read("alpha.png");
        var output = Assert.Single(_converter.Convert(source, [Output(OutputFormat.Png, 600)]));
        var decoded = Decode(output);
        Assert.Equal((600, 400), (decoded.Width, decoded.Height));
        AssertLooksLike(Raster.Vips(source), decoded);
    }

    [Fact]
    public void Webp_input_is_decoded_and_resized()
    {
        var source = Read("photo-wood.webp");
        var output = Assert.Single(_converter.Convert(source, [Output(OutputFormat.Jpg, 1024)]));
        var decoded = Decode(output);
        Assert.Equal((1024, 1024), (decoded.Width, decoded.Height));
        AssertLooksLike(Raster.Skia(source), decoded);
    }

    [Fact]
    public void Animated_gif_gives_its_first_frame()
    {
        var source = Read("animated.gif");
        var decoded = Decode(Assert.Single(_converter.Convert(source, [Output(OutputFormat.Png, 320)])));
        using var first = NetVips.Image.GifloadBuffer(source, page: 0);
        using var second = NetVips.Image.GifloadBuffer(source, page: 1);
        var (toFirst, toSecond) = (Raster.GridDistance(Raster.Vips(first), decoded), Raster.GridDistance(Raster.Vips(second), decoded));

        Assert.True(toFirst <= 2, $"differs from frame 0 by {toFirst:F1}");
        Assert.True(toSecond > 10, $"frames 0 and 1 should differ, but the output is only {toSecond:F1} from frame 1");
    }

    [Theory]
    [InlineData(OutputFormat.Webp)]
    [InlineData(OutputFormat.Avif)]
    [InlineData(OutputFormat.Png)]
    public void Alpha_is_kept(OutputFormat format)
    {
        var source = Raster.Vips(Read("alpha.png"));
        var output = Assert.Single(_converter.Convert(Read("alpha.png"), [Output(format, 1200)]));
        var decoded = Decode(output);
        Assert.Equal((source.Width, source.Height), (decoded.Width, decoded.Height));

        // alpha.png has no opaque pixel: its alpha steps are 0, 102, 153 and 193 (of 255).
        foreach (var level in new byte[] { 0, 102, 153, 193 })
        {
            var (x, y) = Find(source, a => Math.Abs(a - level) <= 1);
            Assert.True(Math.Abs(decoded[x, y].A - level) <= 6, $"alpha {level} at {x},{y} came out as {decoded[x, y].A}");
        }
    }

    [Fact]
    public void Jpeg_flattens_a_semi_transparent_pixel_onto_white()
    {
        var source = Raster.Vips(Read("alpha.png"));
        var output = Assert.Single(_converter.Convert(Read("alpha.png"), [Output(OutputFormat.Jpg, 1200)]));
        var decoded = Raster.Skia(output.Bytes.Span);
        Assert.Equal((source.Width, source.Height), (decoded.Width, decoded.Height));

        // A pixel at alpha 153 of 255 is its colour over white: c·a + 255·(1 − a), per channel.
        var (x, y) = Find(source, a => Math.Abs(a - 153) <= 1);
        var (r, g, b, alpha) = source[x, y];
        double Over(byte channel) => channel * alpha / 255.0 + 255 * (1 - alpha / 255.0);
        var flat = decoded[x, y];
        Assert.Equal(255, flat.A);
        var error = new[] { flat.R - Over(r), flat.G - Over(g), flat.B - Over(b) }.Max(Math.Abs);
        Assert.True(error <= 12, $"({r},{g},{b}) at alpha {alpha} over white should be ({Over(r):F0},{Over(g):F0},{Over(b):F0}), came out ({flat.R},{flat.G},{flat.B})");
        // And it is not the colour itself: the white shows through.
        Assert.True(Math.Abs(flat.R - r) + Math.Abs(flat.G - g) + Math.Abs(flat.B - b) > 20 || (r > 230 && g > 230 && b > 230));
    }

    [Fact]
    public void Metadata_is_not_copied_into_any_output()
    {
        // orient-6.jpg carries EXIF with an orientation tag: copying it would also turn the already upright output.
        var outputs = _converter.Convert(Read("orient-6.jpg"),
            [Output(OutputFormat.Jpg, 400), Output(OutputFormat.Webp, 400), Output(OutputFormat.Avif, 400), Output(OutputFormat.Png, 400)]);
        Assert.Contains(0xE1, JpegMarkers(Read("orient-6.jpg"))); // the check can see EXIF where there is some
        Assert.DoesNotContain(0xE1, JpegMarkers(outputs[0].Bytes.ToArray()));
        var webp = outputs[1].Bytes.ToArray();
        Assert.Equal(-1, webp.AsSpan().IndexOf("EXIF"u8));
        Assert.Equal(-1, webp.AsSpan().IndexOf("XMP "u8));
        // AVIF would carry EXIF as an item named "Exif"; PNG as an eXIf chunk.
        Assert.Equal(-1, outputs[2].Bytes.Span.IndexOf("Exif"u8));
        Assert.Equal(-1, outputs[3].Bytes.Span.IndexOf("eXIf"u8));
    }

    private static (int X, int Y) Find(Raster raster, Func<byte, bool> alpha)
    {
        // Stay off the edges, where resampling mixes neighbours.
        for (var y = 2; y < raster.Height - 2; y++)
        for (var x = 2; x < raster.Width - 2; x++)
        {
            var all = true;
            for (var dy = -2; dy <= 2 && all; dy++)
            for (var dx = -2; dx <= 2 && all; dx++)
                all = alpha(raster[x + dx, y + dy].A);
            if (all) return (x, y);
        }

        throw new InvalidOperationException("no such region in the source");
    }

    /// <summary>The markers of the segments before the first scan.</summary>
    private static List<int> JpegMarkers(byte[] jpeg)
    {
        var markers = new List<int>();
        var at = 2;
        while (at + 4 <= jpeg.Length && jpeg[at] == 0xFF && jpeg[at + 1] != 0xDA)
        {
            markers.Add(jpeg[at + 1]);
            at += 2 + (jpeg[at + 2] << 8 | jpeg[at + 3]);
        }

        return markers;
    }
}
