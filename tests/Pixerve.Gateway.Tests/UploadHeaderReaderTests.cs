using Microsoft.AspNetCore.Http;
using Pixerve.Gateway.Upload;
using Pixerve.Imaging.Inspection;
using Pixerve.Imaging.Inspection.Formats;
using Pixerve.Testing;

namespace Pixerve.Gateway.Tests;

public sealed class UploadHeaderReaderTests
{
    private static Task<HeaderScan> Scan(byte[] file, UploadOptions? uploads = null, int chunk = int.MaxValue, ImageLimitsOptions? limits = null) =>
        UploadHeaderReader.ReadAsync(new TrickleStream(file, chunk), uploads ?? new UploadOptions(), limits ?? new ImageLimitsOptions(), CancellationToken.None);

    [Fact]
    public async Task Reads_only_a_prefix_and_hands_it_on_unchanged()
    {
        var file = File.ReadAllBytes(RepositoryPaths.Image("photo-18mp-sony.jpg"));
        var scan = await Scan(file, chunk: 1000);

        Assert.Null(scan.Refusal);
        Assert.Equal((SourceFormat.Jpeg, 5640, 3172), (scan.Format, scan.Width, scan.Height));
        Assert.InRange(scan.Bytes.Length, 1, 256 * 1024);
        Assert.Equal(file.AsSpan(0, scan.Bytes.Length).ToArray(), scan.Bytes.ToArray());
    }

    [Fact]
    public async Task The_pixel_limit_is_configurable()
    {
        var file = File.ReadAllBytes(RepositoryPaths.Image("photo-1920x1280-canon.jpg"));
        Assert.Null((await Scan(file, limits: new ImageLimitsOptions { MaxSourcePixels = 1920 * 1280 })).Refusal);

        var refused = await Scan(file, limits: new ImageLimitsOptions { MaxSourcePixels = 1920 * 1280 - 1 });
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, refused.RefusalStatus);
        Assert.Contains("1920×1280", refused.Refusal);
    }

    [Fact]
    public async Task Jpeg_whose_frame_header_lies_past_the_scan_limit_is_refused_unless_the_limit_is_raised()
    {
        // SOI, then five 64 KB APP segments of padding (as a phone's extended XMP might be), then the real file.
        var photo = File.ReadAllBytes(RepositoryPaths.Image("vb.jpg"));
        var padding = Enumerable.Range(0, 5).SelectMany(_ => new byte[] { 0xFF, 0xEB, 0xFF, 0xFF }.Concat(new byte[0xFFFF - 2]));
        byte[] file = [0xFF, 0xD8, .. padding, .. photo[2..]];

        var refused = await Scan(file, chunk: 50_000);
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, refused.RefusalStatus);
        Assert.Contains("256 KB", refused.Refusal);

        var found = await Scan(file, new UploadOptions { MaxHeaderBytes = 1024 * 1024 }, chunk: 50_000);
        Assert.Null(found.Refusal);
        Assert.Equal((400, 225), (found.Width, found.Height));
    }

    [Theory]
    [InlineData("hostile/empty.jpg", StatusCodes.Status400BadRequest)]
    [InlineData("hostile/not-an-image.jpg", StatusCodes.Status415UnsupportedMediaType)]
    [InlineData("hostile/bomb-40000x40000.png", StatusCodes.Status413PayloadTooLarge)]
    public async Task Hostile_files_are_refused_with_the_right_status(string name, int status) =>
        Assert.Equal(status, (await Scan(File.ReadAllBytes(RepositoryPaths.Image(name)), chunk: 7)).RefusalStatus);

    [Theory]
    [MemberData(nameof(HostileHeaders.Names), MemberType = typeof(HostileHeaders))]
    public async Task Each_hostile_header_gets_its_status_from_the_header_alone(string name)
    {
        var hostile = HostileHeaders.Named(name);
        // Read as a fast client sends it. Trickled, a second meta box right after the first may not have arrived when
        // the first is whole: the box scanner refuses it while staging (HostileUploadTests).
        var scan = await Scan(hostile.Bytes);

        Assert.Equal(hostile.HeaderStatus, scan.RefusalStatus);
        if (hostile.HeaderStatus == 0) return; // caught while the rest streams in: HostileUploadTests
        Assert.Contains(hostile.Says, scan.Refusal);
        Assert.Equal(hostile.Bytes.AsSpan(0, scan.Bytes.Length).ToArray(), scan.Bytes.ToArray());
    }

    [Fact]
    public async Task A_heif_grid_described_past_the_buffered_start_is_refused_unless_the_buffer_is_raised()
    {
        var file = HostileHeaders.HeifGrid("heic", 300, 200, wide: false, inIdat: false, mdatPadding: 300 * 1024);

        var refused = await Scan(file, chunk: 50_000);
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, refused.RefusalStatus);
        Assert.Contains("256 KB", refused.Refusal);

        var found = await Scan(file, new UploadOptions { MaxHeaderBytes = 1024 * 1024 }, chunk: 50_000);
        Assert.Null(found.Refusal);
        Assert.Equal((300, 200), (found.Width, found.Height));
    }

    [Fact]
    public async Task Png_cut_before_its_ihdr_is_refused_as_malformed()
    {
        var file = File.ReadAllBytes(RepositoryPaths.Image("alpha.png"))[..20];
        var scan = await Scan(file);
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, scan.RefusalStatus);
        Assert.Contains("cut short", scan.Refusal);
    }

    /// <summary>A GIF whose 1×1 logical screen holds one frame of the given size (a global colour table of 2 entries).</summary>
    public static byte[] GifWithFrame(int width, int height)
    {
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange([1, 0, 1, 0, 0x80, 0, 0]);             // screen 1×1, global table of 2 colours
        gif.AddRange([0, 0, 0, 255, 255, 255]);
        gif.AddRange([0x21, 0xF9, 4, 0, 0, 0, 0, 0]);        // graphic control extension
        gif.AddRange([0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0]);
        gif.AddRange([2, 2, 0x4C, 0x01, 0]);                 // LZW minimum 2, one sub-block, terminator
        gif.Add(0x3B);
        return gif.ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(int.MaxValue)]
    public void Gif_frames_are_measured_past_the_logical_screen(int chunk)
    {
        void Feed(GifFrameScanner scanner, byte[] bytes)
        {
            for (var at = 0; at < bytes.Length; at += Math.Min(chunk, bytes.Length - at))
                scanner.Feed(bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at)));
        }

        var bomb = Assert.Throws<GifFrameTooLargeException>(() => Feed(new GifFrameScanner(50_000_000), GifWithFrame(8000, 8000)));
        Assert.Equal((8000, 8000), (bomb.Width, bomb.Height));

        var small = new GifFrameScanner(50_000_000);
        Feed(small, GifWithFrame(1, 1));
        Assert.Equal(1, small.Frames);

        var animated = new GifFrameScanner(50_000_000);
        Feed(animated, File.ReadAllBytes(RepositoryPaths.Image("animated.gif")));
        Assert.True(animated.Frames > 1);
    }

    /// <summary>A request body that arrives in small pieces, as a network stream does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data, writable: false)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
