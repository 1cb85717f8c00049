using System.Buffers.Binary;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

public sealed class AvifTests
{
    private readonly ImageConverter _converter = new();

    private static OutputRequest Avif(int width, int height, int? quality = null, int? speed = 10) =>
        new("out.avif", OutputFormat.Avif, new OutputBox(width, height), quality, speed);

    [Fact]
    public void Avif_output_is_an_avif_file_of_the_requested_size()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("photo-1920x1280-canon.jpg"));
        var output = Assert.Single(_converter.Convert(source, [Avif(300, 300)]));
        var bytes = output.Bytes.ToArray();

        // ISO BMFF: the first box is ftyp, and its major brand says AVIF.
        Assert.Equal("ftyp"u8.ToArray(), bytes[4..8]);
        Assert.Equal("avif"u8.ToArray(), bytes[8..12]);
        Assert.True(BinaryPrimitives.ReadUInt32BigEndian(bytes) <= bytes.Length);

        using var decoded = NetVips.Image.NewFromBuffer(bytes);
        Assert.Equal((300, 200), (decoded.Width, decoded.Height));
        Assert.Equal((300, 200), (output.Width, output.Height));
        Assert.Equal(3, decoded.Bands); // opaque source: no alpha plane
    }

    [Fact]
    public void Higher_quality_gives_a_larger_file()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("photo-1920x1280-canon.jpg"));
        var low = Assert.Single(_converter.Convert(source, [Avif(400, 400, quality: 20)]));
        var high = Assert.Single(_converter.Convert(source, [Avif(400, 400, quality: 90)]));
        Assert.True(high.Bytes.Length > low.Bytes.Length, $"q90 gave {high.Bytes.Length} bytes, q20 {low.Bytes.Length}");
    }

    [Fact]
    public void Avif_input_is_decoded_with_its_colours_and_alpha()
    {
        var photo = File.ReadAllBytes(RepositoryPaths.Image("photo-1920x1280-canon.jpg"));
        var avif = Assert.Single(_converter.Convert(photo, [Avif(960, 960, quality: 80)])).Bytes.ToArray();

        var output = Assert.Single(_converter.Convert(avif, [new OutputRequest("x.png", OutputFormat.Png, new OutputBox(480, 480), null, null)]));
        Assert.Equal((480, 320), (output.Width, output.Height));
        var distance = Raster.GridDistance(Raster.Skia(photo), Raster.Skia(output.Bytes.Span));
        Assert.True(distance <= 8, $"a grid cell differs by {distance:F1}");

        // Translucent AVIF (an alpha plane) comes back translucent, not on black.
        var translucent = Assert.Single(_converter.Convert(File.ReadAllBytes(RepositoryPaths.Image("alpha.png")), [Avif(600, 600)])).Bytes.ToArray();
        var again = Raster.Skia(Assert.Single(_converter.Convert(translucent, [new OutputRequest("y.png", OutputFormat.Png, new OutputBox(600, 600), null, null)])).Bytes.Span);
        Assert.Equal((600, 400), (again.Width, again.Height));
        Assert.Contains(Enumerable.Range(0, again.Width * again.Height), i => again.Rgba[i * 4 + 3] == 0);
        Assert.Contains(Enumerable.Range(0, again.Width * again.Height), i => again.Rgba[i * 4 + 3] is > 140 and < 200);
    }

    [Fact]
    public void Corrupt_avif_is_reported_as_undecodable()
    {
        var photo = File.ReadAllBytes(RepositoryPaths.Image("vb.jpg"));
        var avif = Assert.Single(_converter.Convert(photo, [Avif(200, 200)])).Bytes.ToArray();
        var cut = avif[..(avif.Length / 2)];
        var error = Assert.Throws<UndecodableImageException>(() => _converter.Convert(cut, [Avif(100, 100)]));
        Assert.StartsWith("source is not a decodable image", error.Message);
    }

    [Fact]
    public void Libvips_is_the_one_from_the_nuget_package()
    {
        // Debian's libvips (8.14) would also load by name; the package's 8.18 is the one CI can count on.
        Assert.True((NetVips.NetVips.Version(0), NetVips.NetVips.Version(1)).CompareTo((8, 18)) >= 0,
            $"loaded libvips {NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)}");
    }

    [Theory]
    [InlineData(0, 9)]
    [InlineData(10, 0)]
    [InlineData(5, 5)]
    [InlineData(null, 2)]
    public void Speed_maps_to_effort_inversely(int? speed, int effort) => Assert.Equal(effort, Pixerve.Imaging.Encoders.AvifEncoder.Effort(speed ?? OutputFormat.Avif.Info().DefaultSpeed!.Value));

    [Theory]
    [InlineData(0, 6)]
    [InlineData(10, 0)]
    [InlineData(null, 4)]
    public void Webp_speed_maps_to_method_inversely(int? speed, int method) => Assert.Equal(method, Pixerve.Imaging.Encoders.WebpEncoder.Effort(speed ?? OutputFormat.Webp.Info().DefaultSpeed!.Value));
}
