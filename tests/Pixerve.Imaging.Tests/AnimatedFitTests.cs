using NetVips;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

/// <summary>
/// The frames of an animated WebP or GIF output honour the fit of their box like a still does: cover crops every frame
/// to the box through one window, chosen on the first frame; fill stretches every frame to the box.
/// </summary>
public sealed class AnimatedFitTests
{
    private readonly ImageConverter _converter = new();

    private static byte[] Read(string name) => File.ReadAllBytes(RepositoryPaths.Image(name));

    private static OutputRequest Output(OutputFormat format, OutputBox box, bool still = false) =>
        new($"out.{format}", format, box, null, null) { Still = still };

    private static Image LoadAll(EncodedOutput output) => output.Output.Format == OutputFormat.Gif
        ? Image.GifloadBuffer(output.Bytes.ToArray(), n: -1)
        : Image.WebploadBuffer(output.Bytes.ToArray(), n: -1);

    private static int Pages(Image image) => image.Contains("n-pages") ? (int)image.Get("n-pages") : 1;

    /// <summary>Frame <paramref name="index"/> of a loaded animation, as RGBA bytes.</summary>
    private static Raster Frame(Image animation, int index)
    {
        using var frame = animation.ExtractArea(0, index * animation.PageHeight, animation.Width, animation.PageHeight);
        return Raster.Vips(frame);
    }

    [Theory]
    [InlineData(OutputFormat.Webp)]
    [InlineData(OutputFormat.Gif)]
    public void Cover_and_fill_give_every_frame_the_box_and_keep_frames_delays_and_loop(OutputFormat format)
    {
        // 320×240 (4:3) into boxes of other aspects: a tall one, a wide one.
        var source = Read("animated.gif");
        using var original = Image.GifloadBuffer(source, n: -1);
        var outputs = _converter.Convert(source,
        [
            Output(format, new OutputBox(90, 160, FitMode.Cover)),
            Output(format, new OutputBox(200, 50, FitMode.Cover, CropGravity.Attention)),
            Output(format, new OutputBox(100, 100, FitMode.Cover, CropGravity.Entropy)),
            Output(format, new OutputBox(200, 50, FitMode.Fill)),
            Output(format, new OutputBox(160, 160)),
        ]);

        Assert.Equal([(90, 160), (200, 50), (100, 100), (200, 50), (160, 120)], outputs.Select(o => (o.Width, o.Height)));
        foreach (var output in outputs)
        {
            using var animation = LoadAll(output);
            Assert.Equal(3, Pages(animation));
            Assert.Equal((output.Width, output.Height), (animation.Width, animation.PageHeight));
            Assert.Equal((int[])original.Get("delay"), (int[])animation.Get("delay"));
            Assert.Equal((int)original.Get("loop"), (int)animation.Get("loop"));
        }
    }

    [Theory]
    [InlineData(OutputFormat.Webp)]
    [InlineData(OutputFormat.Gif)]
    public void Cover_and_fill_never_upscale_and_give_the_sizes_a_still_gets(OutputFormat format)
    {
        // 64×48 flat frames: a box larger than the source is reduced as for a still, and every frame keeps its colour.
        var source = Read("animated.webp");
        OutputBox[] boxes = [new(128, 32, FitMode.Cover), new(100, 20, FitMode.Fill), new(30, 40, FitMode.Cover, CropGravity.Attention)];
        var animated = _converter.Convert(source, boxes.Select(b => Output(format, b)).ToList());
        var stills = _converter.Convert(source, boxes.Select(b => Output(OutputFormat.Png, b)).ToList());

        Assert.Equal([(64, 16), (64, 20), (30, 40)], animated.Select(o => (o.Width, o.Height)));
        Assert.Equal(stills.Select(o => (o.Width, o.Height)), animated.Select(o => (o.Width, o.Height)));
        var expected = new[] { new[] { 255, 0, 0 }, [0, 160, 0], [0, 0, 255], [255, 200, 0] };
        foreach (var output in animated)
        {
            using var animation = LoadAll(output);
            Assert.Equal(4, Pages(animation));
            Assert.Equal([100, 200, 300, 400], (int[])animation.Get("delay"));
            for (var i = 0; i < 4; i++)
            {
                var frame = Frame(animation, i);
                Assert.Equal((output.Width, output.Height), (frame.Width, frame.Height));
                var (r, g, b, _) = frame[frame.Width / 2, frame.Height / 2];
                Assert.True(Math.Abs(r - expected[i][0]) <= 8 && Math.Abs(g - expected[i][1]) <= 8 && Math.Abs(b - expected[i][2]) <= 8,
                    $"{output.Width}×{output.Height} frame {i}: ({r},{g},{b}) not ({string.Join(",", expected[i])})");
            }
        }
    }

    [Fact]
    public void Fill_stretches_every_frame_and_cover_crops_it()
    {
        // 800×400 frames with a red disc at their right end: stretched to a square the whole width is kept (the
        // disc squeezed into the right eighth); covered from the centre the disc is cut off.
        var source = DiscOnTheRight(DiscSourceFormat.Webp);
        var outputs = _converter.Convert(source,
            [Output(OutputFormat.Webp, new OutputBox(200, 200, FitMode.Fill)), Output(OutputFormat.Webp, new OutputBox(200, 200, FitMode.Cover))]);

        using var filled = LoadAll(outputs[0]);
        using var covered = LoadAll(outputs[1]);
        for (var i = 0; i < 3; i++)
        {
            var (fill, cover) = (Frame(filled, i), Frame(covered, i));
            Assert.True(Red(fill) > 1000, $"fill frame {i} has {Red(fill)} red pixels");
            Assert.Equal(0, Red(cover));
            Assert.True(RedCentre(fill).X > 160, $"fill frame {i}: disc at {RedCentre(fill)}");
        }
    }

    [Theory]
    [InlineData(OutputFormat.Webp, DiscSourceFormat.Webp)]
    [InlineData(OutputFormat.Gif, DiscSourceFormat.Gif)]
    public void Attention_chooses_one_window_on_the_first_frame_and_cuts_it_from_every_frame(OutputFormat format, DiscSourceFormat sourceFormat)
    {
        var source = DiscOnTheRight(sourceFormat);

        // The test tells a shared window from a window chosen per frame: alone, a later frame (with its larger
        // magenta blob on the left) would be cropped elsewhere, without the red disc.
        using (var loaded = Image.NewFromBuffer(source, "n=-1"))
        using (var first = loaded.ExtractArea(0, 0, 800, 400).ThumbnailImage(400, height: 200, size: Enums.Size.Force))
        using (var last = loaded.ExtractArea(0, 800, 800, 400).ThumbnailImage(400, height: 200, size: Enums.Size.Force))
        {
            Assert.NotEqual(CropWindow.Find(first, 200, 200, CropGravity.Attention), CropWindow.Find(last, 200, 200, CropGravity.Attention));
            Assert.True(CropWindow.Find(first, 200, 200, CropGravity.Attention).Left > 100);
        }

        var output = Assert.Single(_converter.Convert(source, [Output(format, new OutputBox(200, 200, FitMode.Cover, CropGravity.Attention))]));
        Assert.Equal((200, 200), (output.Width, output.Height));
        using var animation = LoadAll(output);
        Assert.Equal(3, Pages(animation));
        var frames = Enumerable.Range(0, 3).Select(i => Frame(animation, i)).ToList();
        // The disc (60 px across at the output's scale, about 2800 px whole) is in every frame, at one place.
        foreach (var frame in frames) Assert.True(Red(frame) > 2000, $"a frame kept {Red(frame)} red pixels");
        var centres = frames.Select(RedCentre).ToList();
        foreach (var centre in centres.Skip(1))
        {
            Assert.True(Math.Abs(centre.X - centres[0].X) < 0.5 && Math.Abs(centre.Y - centres[0].Y) < 0.5,
                $"the disc moved between frames: {string.Join(" ", centres)}");
        }
    }

    [Theory]
    [InlineData(CropGravity.Attention)]
    [InlineData(CropGravity.Entropy)]
    public void The_window_found_is_the_one_smartcrop_cuts(CropGravity gravity)
    {
        // A real photo, 300×200 from 960×640: the window lands neither at the middle nor at an edge for both gravities.
        using var photo = Image.NewFromBuffer(Read("photo-1920x1280-canon.jpg")).ThumbnailImage(960, height: 640);
        foreach (var (width, height) in new[] { (300, 200), (200, 600), (960, 100) })
        {
            var (left, top) = CropWindow.Find(photo, width, height, gravity);
            using var cut = photo.ExtractArea(left, top, width, height);
            using var smart = photo.Smartcrop(width, height, interesting: CropWindow.Interesting(gravity));
            using var difference = (cut - smart).Abs();
            Assert.Equal(0.0, difference.Max());
            if (gravity == CropGravity.Attention)
            {
                // libvips' own account of it: the window centred on the attention centre, kept inside the image.
                using var again = photo.Smartcrop(width, height, out var x, out var y, interesting: Enums.Interesting.Attention);
                Assert.Equal((Math.Clamp(x - width / 2, 0, 960 - width), Math.Clamp(y - height / 2, 0, 640 - height)), (left, top));
            }
        }

        Assert.Equal((330, 220), CropWindow.Find(photo, 300, 200, CropGravity.Centre));
    }

    public enum DiscSourceFormat
    {
        Webp,
        Gif,
    }

    /// <summary>
    /// Three 800×400 frames of dull grey (a shade lighter each frame, so that no two are alike, even cropped: an
    /// encoder merges a frame identical to the one before it), each with the same saturated red disc of radius 60 at
    /// (700, 200); the second and third also have a larger magenta blob at (150, 200), which draws a smart crop of
    /// those frames alone to the left.
    /// </summary>
    private static byte[] DiscOnTheRight(DiscSourceFormat format)
    {
        using var xy = Image.Xyz(800, 400);
        using var dx = xy[0] - 700;
        using var dy = xy[1] - 200;
        using var disc = (dx * dx + dy * dy) < 60 * 60;
        using var bx = xy[0] - 150;
        using var blob = (bx * bx + dy * dy) < 120 * 120;
        using var red = Image.Black(800, 400, bands: 3) + new double[] { 230, 20, 20 };
        using var magenta = Image.Black(800, 400, bands: 3) + new double[] { 255, 0, 255 };
        var frameList = new List<Image>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                using var grey = Image.Black(800, 400, bands: 3) + (90 + 8 * i);
                using var withDisc = disc.Ifthenelse(red, grey);
                frameList.Add(i == 0 ? withDisc.Copy() : blob.Ifthenelse(magenta, withDisc));
            }

            using var frames = Image.Arrayjoin(frameList.ToArray(), across: 1);
            using var srgb = frames.Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb);
            using var animation = srgb.Mutate(m =>
            {
                m.Set(GValue.GIntType, "page-height", 400);
                m.Set(GValue.GIntType, "n-pages", 3);
                m.Set(GValue.ArrayIntType, "delay", new[] { 100, 100, 100 });
                m.Set(GValue.GIntType, "loop", 0);
            });
            return format == DiscSourceFormat.Gif ? animation.GifsaveBuffer() : animation.WebpsaveBuffer(lossless: true);
        }
        finally
        {
            foreach (var frame in frameList) frame.Dispose();
        }
    }

    private static bool IsRed(Raster raster, int x, int y) => raster[x, y] is { R: > 180, G: < 80, B: < 80 };

    private static int Red(Raster raster) =>
        Enumerable.Range(0, raster.Width * raster.Height).Count(i => IsRed(raster, i % raster.Width, i / raster.Width));

    private static (double X, double Y) RedCentre(Raster raster)
    {
        var red = Enumerable.Range(0, raster.Width * raster.Height).Where(i => IsRed(raster, i % raster.Width, i / raster.Width)).ToList();
        return (red.Average(i => i % raster.Width), red.Average(i => i / raster.Width));
    }
}
