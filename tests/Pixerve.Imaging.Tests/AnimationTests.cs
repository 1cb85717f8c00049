using NetVips;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

/// <summary>An animated GIF or WebP keeps its frames, delays and loop in WebP and GIF outputs; other outputs take frame 0.</summary>
public sealed class AnimationTests
{
    private readonly ImageConverter _converter = new();

    private static byte[] Read(string name) => File.ReadAllBytes(RepositoryPaths.Image(name));

    private static OutputRequest Output(OutputFormat format, int side, bool still = false) =>
        new($"out.{format}", format, new OutputBox(side, side), null, null) { Still = still };

    /// <summary>The output read back through the loader of its own format, every frame.</summary>
    private static Image LoadAll(EncodedOutput output) => output.Output.Format == OutputFormat.Gif
        ? Image.GifloadBuffer(output.Bytes.ToArray(), n: -1)
        : Image.WebploadBuffer(output.Bytes.ToArray(), n: -1);

    private static int Pages(Image image) => image.Contains("n-pages") ? (int)image.Get("n-pages") : 1;

    [Fact]
    public void Gif_to_webp_keeps_frames_delays_and_loop_at_the_frame_size()
    {
        var source = Read("animated.gif");
        using var original = Image.GifloadBuffer(source, n: -1);
        var output = Assert.Single(_converter.Convert(source, [Output(OutputFormat.Webp, 160)]));

        using var animation = LoadAll(output);
        Assert.Equal(3, Pages(animation));
        Assert.Equal((int[])original.Get("delay"), (int[])animation.Get("delay"));
        Assert.Equal((int)original.Get("loop"), (int)animation.Get("loop"));
        Assert.Equal((160, 120), (output.Width, output.Height));
        Assert.Equal((160, 120), (animation.Width, animation.PageHeight));
    }

    [Fact]
    public void Webp_to_gif_keeps_frames_delays_and_loop()
    {
        var source = Read("animated.webp");
        var output = Assert.Single(_converter.Convert(source, [Output(OutputFormat.Gif, 32)]));

        using var animation = LoadAll(output);
        Assert.Equal(4, Pages(animation));
        // GIF stores delays in hundredths of a second: 100, 200, 300 and 400 ms survive exactly.
        Assert.Equal([100, 200, 300, 400], (int[])animation.Get("delay"));
        Assert.Equal(2, (int)animation.Get("loop"));
        Assert.Equal((32, 24), (output.Width, output.Height));

        // Each frame keeps its own colour: red, green, blue, yellow (see tests/data/images/README.md).
        var expected = new[] { new[] { 255.0, 0, 0 }, [0, 160, 0], [0, 0, 255], [255, 200, 0] };
        for (var i = 0; i < 4; i++)
        {
            using var frame = animation.ExtractArea(0, i * 24, 32, 24);
            var centre = frame.Getpoint(16, 12);
            for (var band = 0; band < 3; band++)
                Assert.True(Math.Abs(centre[band] - expected[i][band]) <= 8, $"frame {i} band {band}: {centre[band]} not {expected[i][band]}");
        }
    }

    [Fact]
    public void Webp_to_webp_keeps_frames_and_describes_the_source()
    {
        var converted = _converter.ConvertImage(Read("animated.webp"), [Output(OutputFormat.Webp, 64)]);
        using var animation = LoadAll(Assert.Single(converted.Outputs));
        Assert.Equal(4, Pages(animation));
        Assert.Equal([100, 200, 300, 400], (int[])animation.Get("delay"));
        Assert.Equal(2, (int)animation.Get("loop"));

        Assert.Equal(4, converted.Source.Frames);
        Assert.Equal((SourceFormat.Webp, 64, 48), (converted.Source.Format, converted.Source.Width, converted.Source.Height));
        Assert.Equal(3, _converter.ConvertImage(Read("animated.gif"), [Output(OutputFormat.Jpg, 64)]).Source.Frames);
        Assert.Equal(1, _converter.ConvertImage(Read("vb.webp"), [Output(OutputFormat.Webp, 64)]).Source.Frames);
    }

    [Fact]
    public void Jpg_and_a_forced_still_take_the_first_frame()
    {
        var outputs = _converter.Convert(Read("animated.webp"),
            [Output(OutputFormat.Jpg, 64), Output(OutputFormat.Webp, 64, still: true), Output(OutputFormat.Gif, 64, still: true)]);

        using var jpg = Image.JpegloadBuffer(outputs[0].Bytes.ToArray());
        var red = jpg.Getpoint(32, 24);
        Assert.True(red[0] > 240 && red[1] < 16 && red[2] < 16, $"expected frame 0's red, got {string.Join(",", red)}");

        using var webp = LoadAll(outputs[1]);
        Assert.Equal(1, Pages(webp));
        using var gif = LoadAll(outputs[2]);
        Assert.Equal(1, Pages(gif));
        Assert.Equal((64, 48), (outputs[1].Width, outputs[1].Height));
    }

    [Fact]
    public void A_still_source_makes_a_still_gif()
    {
        var output = Assert.Single(_converter.Convert(Read("vb.jpg"), [Output(OutputFormat.Gif, 200)]));
        using var gif = LoadAll(output);
        Assert.Equal(1, Pages(gif));
        Assert.Equal((200, 112), (gif.Width, gif.Height));
        Assert.Equal((200, 112), (output.Width, output.Height));
    }

    [Fact]
    public void The_converter_counts_every_frame_against_the_limits()
    {
        // 4 frames of 64×48 = 12 288 pixels: one frame fits a limit that all four do not.
        var source = Read("animated.webp");
        var tight = new ImageConverter(new ImagingOptions(), new ImageLimitsOptions { MaxSourcePixels = 64 * 48 * 4 - 1 });
        var error = Assert.Throws<UndecodableImageException>(() => tight.Convert(source, [Output(OutputFormat.Jpg, 64)]));
        Assert.Contains("4 frames of 64×48", error.Message);

        var few = new ImageConverter(new ImagingOptions(), new ImageLimitsOptions { MaxFrames = 3 });
        Assert.Contains("more than the limit of 3 frames",
            Assert.Throws<UndecodableImageException>(() => few.Convert(source, [Output(OutputFormat.Webp, 64)])).Message);
        Assert.Equal(4, new ImageConverter(new ImagingOptions(), new ImageLimitsOptions { MaxFrames = 4, MaxSourcePixels = 64 * 48 * 4 }).ConvertImage(source, [Output(OutputFormat.Webp, 64)]).Source.Frames);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(int.MaxValue)]
    public void Scanners_count_frames_as_the_bytes_stream_by(int chunk)
    {
        void Feed(Action<byte[], int, int> feed, byte[] bytes)
        {
            for (var at = 0; at < bytes.Length; at += Math.Min(chunk, bytes.Length - at)) feed(bytes, at, Math.Min(chunk, bytes.Length - at));
        }

        var webp = Read("animated.webp");
        var counted = new WebpFrameScanner(50_000_000, 500);
        Feed((b, at, n) => counted.Feed(b.AsSpan(at, n)), webp);
        Assert.Equal(4, counted.Frames);

        var still = new WebpFrameScanner(50_000_000, 500);
        Feed((b, at, n) => still.Feed(b.AsSpan(at, n)), Read("vb.webp"));
        Assert.Equal(0, still.Frames);

        var few = new WebpFrameScanner(50_000_000, 3);
        Assert.Contains("Pixerve:Limits:MaxFrames", Assert.Throws<AnimationTooLargeException>(() => Feed((b, at, n) => few.Feed(b.AsSpan(at, n)), webp)).Message);
        var small = new WebpFrameScanner(64 * 48 * 3, 500);
        Assert.Contains("Pixerve:Limits:MaxSourcePixels", Assert.Throws<AnimationTooLargeException>(() => Feed((b, at, n) => small.Feed(b.AsSpan(at, n)), webp)).Message);

        var gif = Read("animated.gif");
        var gifFew = new GifFrameScanner(50_000_000, 2);
        Assert.Throws<AnimationTooLargeException>(() => Feed((b, at, n) => gifFew.Feed(b.AsSpan(at, n)), gif));
        var gifSmall = new GifFrameScanner(320 * 240 * 2, 500);
        Assert.Throws<AnimationTooLargeException>(() => Feed((b, at, n) => gifSmall.Feed(b.AsSpan(at, n)), gif));
        var gifAll = new GifFrameScanner(320 * 240 * 3, 3);
        Feed((b, at, n) => gifAll.Feed(b.AsSpan(at, n)), gif);
        Assert.Equal(3, gifAll.Frames);
    }
}
