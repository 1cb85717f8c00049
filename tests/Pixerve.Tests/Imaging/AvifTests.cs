using System.Buffers.Binary;
using Pixerve.Grains.Imaging;
using Pixerve.Tests.Infrastructure;

namespace Pixerve.Tests.Imaging;

public sealed class AvifTests
{
    private readonly ImageConverter _converter = new();

    private static PlannedOutput Avif(int width, int height, int? quality = null, int? speed = 10) =>
        new("out.avif", OutputFormat.Avif, new BoxSize(width, height), quality, speed);

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
    public void Speed_maps_to_effort_inversely(int? speed, int effort) => Assert.Equal(effort, AvifEncoder.Effort(speed));
}
