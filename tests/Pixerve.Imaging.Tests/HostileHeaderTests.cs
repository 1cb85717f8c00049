using Pixerve.Testing;



namespace Pixerve.Imaging.Tests;

/// <summary>Every hostile header in <see cref="HostileHeaders"/> through the dimension reader the gateway uses.</summary>
public sealed class HostileHeaderTests
{
    private const long DefaultLimit = 50_000_000;

    [Theory]
    [MemberData(nameof(HostileHeaders.Names), MemberType = typeof(HostileHeaders))]
    public void Each_hostile_header_reads_past_the_limit_or_is_refused(string name)
    {
        var hostile = HostileHeaders.Named(name);
        // As much as the gateway buffers by default (Pixerve:Limits:MaxHeaderBytes).
        var header = hostile.Bytes.AsSpan(0, Math.Min(hostile.Bytes.Length, 256 * 1024));
        var read = ImageDimensions.Read(ImageSniffer.Detect(header) ?? throw new InvalidOperationException("not sniffed"), header);

        switch (hostile.HeaderStatus)
        {
            case 413:
                Assert.Equal(HeaderRead.Found, read.Read);
                Assert.True(read.Pixels > DefaultLimit, $"{read.Width}×{read.Height} counted as {read.Pixels} pixels");
                break;
            case 415:
                Assert.Equal(HeaderRead.Invalid, read.Read);
                Assert.Contains(hostile.Says, read.Detail);
                break;
            default:
                // Passes the header: caught while the rest of the file streams in.
                Assert.Equal(HeaderRead.Found, read.Read);
                Assert.True(read.Pixels <= DefaultLimit);
                break;
        }
    }

    [Theory]
    [InlineData("jpeg SOF 65535×65535", 65535, 65535, 4_294_836_225L)]
    [InlineData("webp VP8 16383×16383", 16383, 16383, 268_402_689L)]
    [InlineData("webp VP8L 16384×16384", 16384, 16384, 268_435_456L)]
    [InlineData("webp VP8X canvas 16777216×16777216", 16777216, 16777216, 281_474_976_710_656L)]
    [InlineData("png 65536×65536 (2^32 pixels: 0 in an int)", 65536, 65536, 4_294_967_296L)]
    [InlineData("png 2147483647×2 (-2 in an int)", int.MaxValue, 2, 4_294_967_294L)]
    [InlineData("gif screen 65535×65535", 65535, 65535, 4_294_836_225L)]
    [InlineData("heic primary ispe 100000×100000", 100000, 100000, 10_000_000_000L)]
    [InlineData("avif grid 30000×30000 of two 64×64 tiles", 30000, 30000, 900_000_000L)]
    [InlineData("heic grid 100000×100000 (32-bit fields) of two 64×64 tiles", 100000, 100000, 10_000_000_000L)]
    public void Each_formats_largest_size_is_read_exactly_and_counted_in_long(string name, int width, int height, long pixels)
    {
        var bytes = HostileHeaders.Named(name).Bytes;
        var read = ImageDimensions.Read(ImageSniffer.Detect(bytes)!.Value, bytes);
        Assert.Equal((HeaderRead.Found, width, height, pixels), (read.Read, read.Width, read.Height, read.Pixels));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(int.MaxValue)]
    public void Gif_frames_past_the_limit_are_caught_by_the_frame_scanner(int chunk)
    {
        foreach (var name in new[] { "gif 1×1 screen with a 65535×65535 frame", "gif 1×1 screen with a 1×1 frame at 65534,65534" })
        {
            var bytes = HostileHeaders.Named(name).Bytes;
            var scanner = new GifFrameScanner(DefaultLimit);
            var e = Assert.Throws<GifFrameTooLargeException>(() =>
            {
                for (var at = 0; at < bytes.Length; at += chunk) scanner.Feed(bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at)));
            });
            Assert.Equal((65535, 65535), (e.Width, e.Height));
            Assert.Contains(ImageLimitsOptions.MaxSourcePixelsKey, e.Message);
        }
    }
}
