using NetVips;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

public sealed class VipsResizeTests
{
    [Theory]
    [InlineData(1600, 1067)]
    [InlineData(800, 533)]
    [InlineData(333, 222)]
    [InlineData(17, 11)]
    [InlineData(1, 1)]
    public void Gives_exactly_the_asked_size_and_the_same_picture(int width, int height)
    {
        var photo = File.ReadAllBytes(RepositoryPaths.Image("photo-1920x1280-canon.jpg"));
        using var source = Image.JpegloadBuffer(photo);
        using var resized = VipsResize.Resize(source, width, height);

        Assert.Equal((width, height), (resized.Width, resized.Height));
        Assert.Equal((source.Bands, source.Format), (resized.Bands, resized.Format));
        if (width < 100) return; // grid cells of a few pixels compare edges, not the picture
        var distance = Raster.GridDistance(Raster.Skia(photo), Raster.Vips(resized), n: 4);
        Assert.True(distance <= 4, $"a grid cell differs by {distance:F1}");
    }

    [Fact]
    public void Translucent_pixels_keep_their_alpha_and_colour()
    {
        var png = File.ReadAllBytes(RepositoryPaths.Image("alpha.png"));
        using var loaded = Image.PngloadBuffer(png);
        using var source = loaded.Colourspace(Enums.Interpretation.Srgb).Cast(Enums.BandFormat.Uchar);
        using var resized = VipsResize.Resize(source, 301, 201);

        Assert.Equal((301, 201, 4, Enums.BandFormat.Uchar), (resized.Width, resized.Height, resized.Bands, resized.Format));
        var pixels = Raster.Vips(resized);
        Assert.Contains(Enumerable.Range(0, pixels.Width * pixels.Height), i => pixels.Rgba[i * 4 + 3] == 0);
        // Colour weighted by alpha is what a viewer shows: premultiplied filtering keeps it, straight filtering would
        // pull the transparent areas' colour into the shapes' edges.
        var distance = Raster.GridDistance(Premultiplied(Raster.Vips(source)), Premultiplied(pixels), n: 8);
        Assert.True(distance <= 4, $"a grid cell differs by {distance:F1}");
    }

    private static Raster Premultiplied(Raster raster)
    {
        var rgba = raster.Rgba.ToArray();
        for (var i = 0; i < rgba.Length; i += 4)
        for (var c = 0; c < 3; c++)
            rgba[i + c] = (byte)(rgba[i + c] * rgba[i + 3] / 255);
        return raster with { Rgba = rgba };
    }
}
