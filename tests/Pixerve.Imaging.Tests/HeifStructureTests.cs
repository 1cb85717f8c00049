using static Pixerve.Testing.HeifBuilder;
using Pixerve.Imaging.Heif;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

/// <summary>
/// The HEIF structure reader: every size a decoder may allocate is found (every item's ispe, every grid's and
/// overlay's output), and a structure two readers could read differently is refused.
/// </summary>
public sealed class HeifStructureTests
{
    private static HeifReading Whole(byte[] file) => HeifStructure.Read(file, whole: true);

    private static HeifReading Prefix(byte[] file, int length) => HeifStructure.Read(file.AsSpan(0, Math.Min(length, file.Length)), whole: false);

    [Fact]
    public void A_plain_file_reads_its_ispe()
    {
        var file = HostileHeaders.HeifIspe("heic", 640, 480);
        foreach (var reading in new[] { Whole(file), Prefix(file, file.Length) })
            Assert.Equal((HeaderRead.Found, 640, 480), (reading.Read, reading.Largest.Width, reading.Largest.Height));
    }

    [Fact]
    public void Every_items_ispe_counts_not_only_the_primarys()
    {
        var reading = Whole(HostileHeaders.HeifSecondItem("avif", 30000, 30000));
        Assert.Equal((HeaderRead.Found, 30000, 30000), (reading.Read, reading.Largest.Width, reading.Largest.Height));
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public void A_grid_counts_its_output_not_its_tiles_nor_its_ispe(bool wide, bool inIdat)
    {
        var file = HostileHeaders.HeifGrid("heic", 30000, 20000, wide, inIdat);
        var reading = Whole(file);
        Assert.Equal((HeaderRead.Found, 30000, 20000), (reading.Read, reading.Largest.Width, reading.Largest.Height));
        Assert.Contains("grid item 1's output of 1×2 tiles", reading.Largest.Of);
        Assert.Equal(reading, Prefix(file, file.Length));
    }

    [Fact]
    public void An_overlay_counts_its_canvas()
    {
        var reading = Whole(HostileHeaders.HeifOverlay("heic", 65535, 65535));
        Assert.Equal((HeaderRead.Found, 65535, 65535, "iovl item 1's canvas"), (reading.Read, reading.Largest.Width, reading.Largest.Height, reading.Largest.Of));
    }

    [Fact]
    public void A_grid_described_in_mdat_past_a_prefix_needs_more_of_the_file()
    {
        // The grid's 8 bytes sit after 300 KB of other media data: a 256 KB prefix cannot know the output size.
        var file = HostileHeaders.HeifGrid("avif", 30000, 30000, wide: false, inIdat: false, mdatPadding: 300 * 1024);
        Assert.Equal(HeaderRead.NeedMore, Prefix(file, 256 * 1024).Read);
        Assert.Equal(30000, Prefix(file, file.Length).Largest.Width);

        // Cut short inside the grid's data: the whole file has no more to give.
        var cut = Whole(file[..^20]);
        Assert.Equal(HeaderRead.Invalid, cut.Read);
        Assert.Contains("past the end of the file", cut.Problem);
    }

    [Fact]
    public void A_meta_box_not_yet_whole_needs_more()
    {
        var file = HostileHeaders.HeifGrid("heic", 64, 64, wide: false);
        for (var length = 0; length < file.Length - 8 - 8 - 8 - 8; length += 13) // mdat: its header and three items' 8 bytes
            Assert.Equal(HeaderRead.NeedMore, Prefix(file, length).Read);
    }

    [Fact]
    public void Two_meta_boxes_are_refused_wherever_the_second_is()
    {
        var adjacent = HostileHeaders.HeifTwoMetas("heic", afterMdat: false);
        foreach (var reading in new[] { Whole(adjacent), Prefix(adjacent, adjacent.Length) })
        {
            Assert.Equal(HeaderRead.Invalid, reading.Read);
            Assert.Contains("more than one top-level meta box", reading.Problem);
        }

        // Behind 300 KB of mdat, the second is past what the upload's header reader buffers (it reads the first
        // 64×64 one), so the box scanner, which sees every byte of the upload, is what catches it.
        var late = HostileHeaders.HeifTwoMetas("avif", afterMdat: true);
        Assert.Equal((HeaderRead.Found, 64), (Prefix(late, 256 * 1024).Read, Prefix(late, 256 * 1024).Largest.Width));
        Assert.Contains("more than one top-level meta box", Whole(late).Problem);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(int.MaxValue)]
    public void The_box_scanner_finds_a_second_meta_box_in_any_chunks(int chunk)
    {
        static void Feed(HeifBoxScanner scanner, byte[] bytes, int chunk)
        {
            for (var at = 0; at < bytes.Length; at += chunk) scanner.Feed(bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at)));
        }

        foreach (var afterMdat in new[] { false, true })
        {
            var file = HostileHeaders.HeifTwoMetas("heic", afterMdat);
            var e = Assert.Throws<HeifStructureException>(() => Feed(new HeifBoxScanner(), file, chunk));
            Assert.Contains("more than one top-level meta box", e.Message);
        }

        var single = new HeifBoxScanner();
        Feed(single, File.ReadAllBytes(RepositoryPaths.Image("portrait-irot.heic")), chunk);
        Assert.Equal(1, single.MetaBoxes);
    }

    [Fact]
    public void A_primary_item_without_ispe_is_refused()
    {
        var reading = Whole(HostileHeaders.HeifPrimaryWithoutIspe("avif"));
        Assert.Equal(HeaderRead.Invalid, reading.Read);
        Assert.Contains("the primary item (1) has no ispe", reading.Problem);
    }

    [Fact]
    public void An_item_described_twice_is_refused()
    {
        var file = new HeifBuilder()
            .Add(1, "hvc1", [1, 2, 3], properties: Ispe(64, 64))
            .Add(1, "hvc1", [1, 2, 3], properties: Ispe(30000, 30000))
            .Build();
        Assert.Contains("item 1 is described twice", Whole(file).Problem);
    }

    [Fact]
    public void Zero_and_oversized_sides_are_refused()
    {
        Assert.Contains("0×64", Whole(HostileHeaders.HeifIspe("heic", 0, 64)).Problem);
        Assert.Contains("4294967295×1", Whole(HostileHeaders.HeifIspe("heic", uint.MaxValue, 1)).Problem);
    }

    [Fact]
    public void Garbage_and_truncation_are_refused_not_thrown()
    {
        var file = HostileHeaders.HeifGrid("heic", 64, 64, wide: false);
        var random = new Random(21);
        for (var i = 0; i < 2000; i++)
        {
            var damaged = (byte[])file.Clone();
            damaged[random.Next(28, damaged.Length)] = (byte)random.Next(256);
            var reading = Whole(damaged[..random.Next(28, damaged.Length + 1)]);
            Assert.True(reading.Read != HeaderRead.Found || reading.Largest.Pixels > 0);
        }
    }

    [Fact]
    public void Real_files_read_as_written()
    {
        Assert.Equal(480, Whole(File.ReadAllBytes(RepositoryPaths.Image("portrait-irot.heic"))).Largest.Width);

        // libvips' AVIF, with an alpha plane (an auxiliary item with its own ispe).
        using var image = NetVips.Image.NewFromFile(RepositoryPaths.Image("alpha.png"));
        using var small = image.Resize(0.1);
        var avif = small.HeifsaveBuffer(compression: NetVips.Enums.ForeignHeifCompression.Av1, effort: 0);
        var reading = Whole(avif);
        Assert.Equal((HeaderRead.Found, 120, 80), (reading.Read, reading.Largest.Width, reading.Largest.Height));
    }
}
