using System.Buffers.Binary;
using static Pixerve.Testing.HeifBuilder;
using Pixerve.Imaging.Heif;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

/// <summary>
/// The converter's own check of a HEIF file (AVIF or HEIC) before decoding: every declared size against the pixel
/// limit, an ambiguous structure refused, and libheif told the limit too.
/// </summary>
public sealed class HeifLimitTests
{
    private static readonly OutputRequest Jpg = new("x.jpg", OutputFormat.Jpg, new OutputBox(100, 100), null, null);

    private static byte[] Portrait => File.ReadAllBytes(RepositoryPaths.Image("portrait-irot.heic"));

    [Theory]
    [MemberData(nameof(HostileHeaders.HeifNames), MemberType = typeof(HostileHeaders))]
    public void Hostile_heif_fails_conversion_with_a_clear_error(string name)
    {
        var hostile = HostileHeaders.Named(name);
        var e = Assert.Throws<UndecodableImageException>(() => new ImageConverter().ConvertImage(hostile.Bytes, [Jpg]));
        if (hostile.UploadStatus == 413)
        {
            Assert.StartsWith("source declares an image of", e.Message);
            Assert.Contains($"more than the limit of 50000000 pixels ({ImageLimitsOptions.MaxSourcePixelsKey})", e.Message);
        }
        else
        {
            Assert.StartsWith("source is not a decodable image: ", e.Message);
            Assert.Contains(hostile.Says, e.Message);
        }
    }

    [Fact]
    public void A_real_grid_converts_within_the_limit_and_is_refused_past_it_though_each_tile_is_within()
    {
        // Two 480×320 tiles of the portrait's own HEVC data side by side: a 960×320 grid that libheif decodes.
        var grid = Grid(Portrait, "heic");
        var converted = new ImageConverter().ConvertImage(grid, [Jpg with { Box = new OutputBox(960, 960) }]);
        Assert.Equal((960, 320), (converted.Source.Width, converted.Source.Height));

        // 200000 pixels: each 153600-pixel tile is within; the 307200-pixel output is not.
        var e = Assert.Throws<UndecodableImageException>(() =>
            new ImageConverter(new ImagingOptions(), new ImageLimitsOptions { MaxSourcePixels = 200_000 }).ConvertImage(grid, [Jpg]));
        Assert.Equal($"source declares an image of 960×320 pixels (grid item 1's output of 1×2 tiles), more than the limit of 200000 pixels ({ImageLimitsOptions.MaxSourcePixelsKey})", e.Message);
    }

    [Fact]
    public void A_real_avif_grid_converts_within_the_limit_and_is_refused_past_it()
    {
        using var photo = NetVips.Image.NewFromFile(RepositoryPaths.Image("vb.jpg"));
        var tile = photo.HeifsaveBuffer(compression: NetVips.Enums.ForeignHeifCompression.Av1, effort: 0);
        var grid = Grid(tile, "avif");
        var converted = new ImageConverter().ConvertImage(grid, [Jpg with { Box = new OutputBox(800, 800) }]);
        Assert.Equal((800, 225), (converted.Source.Width, converted.Source.Height));

        var e = Assert.Throws<UndecodableImageException>(() =>
            new ImageConverter(new ImagingOptions(), new ImageLimitsOptions { MaxSourcePixels = 100_000 }).ConvertImage(grid, [Jpg]));
        Assert.Contains("800×225 pixels (grid item 1's output", e.Message);
    }

    [Fact]
    public void Libheif_is_told_the_longest_side_the_pixel_limit_allows()
    {
        // The portrait's ispe is 480×320: a limit of 480 pixels allows a side of 480 and no longer.
        using (var within = new HeifSourceImage(Portrait, maxPixels: 480)) Assert.Equal(320, within.Width);
        var e = Assert.Throws<UndecodableImageException>(() => new HeifSourceImage(Portrait, maxPixels: 479));
        Assert.Contains("exceeds the maximum image size", e.Message);

        Assert.Equal(HeifLimits.LibheifDefaultMaximumSide, HeifLimits.MaximumSide(50_000_000));
        Assert.Equal(1000, HeifLimits.MaximumSide(1000));
    }

    /// <summary>
    /// A 1×2 grid whose tiles are both the single image of <paramref name="file"/> (its coded data and codec
    /// properties, its ispe; any rotation left out), with the grid description in idat.
    /// </summary>
    private static byte[] Grid(byte[] file, string brand)
    {
        var (type, width, height, properties, data) = SingleImage(file);
        return new HeifBuilder(brand)
            .Add(1, "grid", GridData(1, 2, 2 * width, height), inIdat: true, Ispe(2 * width, height))
            .Add(2, type, data, properties: [Ispe(width, height), .. properties])
            .Add(3, type, data, properties: [Ispe(width, height), .. properties])
            .Reference("dimg", 1, 2, 3)
            .Build();
    }

    /// <summary>The primary item of a one-image HEIF file as a writer left it: type, size, codec properties, coded data.</summary>
    private static (string Type, uint Width, uint Height, byte[][] Properties, byte[] Data) SingleImage(byte[] file)
    {
        var meta = Children(file, 0, file.Length).Single(b => b.Type == "meta");
        var inMeta = Children(file, meta.Content + 4, meta.End);
        var primary = BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(inMeta.Single(b => b.Type == "pitm").Content + 4));
        var iprp = inMeta.Single(b => b.Type == "iprp");
        var ipco = Children(file, iprp.Content, iprp.End).Single(b => b.Type == "ipco");
        var ipma = Children(file, iprp.Content, iprp.End).Single(b => b.Type == "ipma");
        var properties = Children(file, ipco.Content, ipco.End);

        // ipma version 0, 7-bit indexes: the primary's associations.
        var at = ipma.Content + 8;
        var associated = new List<int>();
        for (var entries = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(ipma.Content + 4)); entries > 0; entries--)
        {
            var (id, count) = (BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(at)), file[at + 2]);
            if (id == primary) associated.AddRange(file.AsSpan(at + 3, count).ToArray().Select(b => (b & 0x7F) - 1));
            at += 3 + count;
        }

        var ispe = properties.Single(p => p.Type == "ispe");
        var (width, height) = (BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(ispe.Content + 4)), BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(ispe.Content + 8)));
        var codec = associated.Select(i => properties[i]).Where(p => p.Type is not ("ispe" or "irot" or "imir" or "clap"))
            .Select(p => file[p.Start..p.End]).ToArray();

        // iloc: the primary's single extent, a file offset.
        var iloc = inMeta.Single(b => b.Type == "iloc");
        var version = file[iloc.Content];
        var sizes = BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(iloc.Content + 4));
        var (offsetSize, lengthSize, baseSize) = (sizes >> 12, sizes >> 8 & 0xF, sizes >> 4 & 0xF);
        at = iloc.Content + 8;
        for (var items = BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(iloc.Content + 6)); items > 0; items--)
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(at));
            at += 2 + (version >= 1 ? 2 : 0) + 2;
            var baseOffset = Sized(file, ref at, baseSize);
            var extents = BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(at));
            at += 2;
            var (offset, length) = (Sized(file, ref at, offsetSize), Sized(file, ref at, lengthSize));
            Assert.Equal(1, extents);
            if (id == primary)
            {
                return (properties.Any(p => p.Type == "av1C") ? "av01" : "hvc1", width, height, codec,
                    file[(int)(baseOffset + offset)..(int)(baseOffset + offset + length)]);
            }
        }

        throw new InvalidOperationException("the primary item has no location");
    }

    private static long Sized(byte[] file, ref int at, int size)
    {
        long value = size switch { 0 => 0, 4 => BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at)), _ => (long)BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan(at)) };
        at += size;
        return value;
    }

    private static List<(string Type, int Start, int Content, int End)> Children(byte[] file, int start, int end)
    {
        var boxes = new List<(string, int, int, int)>();
        for (var at = start; at < end;)
        {
            var size = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(file, at + 4, 4);
            boxes.Add((type, at, at + 8, at + size));
            at += size;
        }

        return boxes;
    }
}
