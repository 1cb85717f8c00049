using Pixerve.Tests.Infrastructure;
using SkiaSharp;

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
        using var source = Decode(photo);
        using var resized = VipsResize.Resize(source, width, height);

        Assert.NotNull(resized);
        Assert.Equal((width, height), (resized.Width, resized.Height));
        Assert.Equal(source.Info.ColorType, resized.Info.ColorType);
        if (width < 100) return; // grid cells of a few pixels compare edges, not the picture
        var distance = Raster.GridDistance(Raster.Skia(photo), Raster.Skia(resized.Encode(SKEncodedImageFormat.Png, 100).ToArray()), n: 4);
        Assert.True(distance <= 4, $"a grid cell differs by {distance:F1}");
    }

    [Fact]
    public void Premultiplied_pixels_stay_valid()
    {
        using var source = Decode(File.ReadAllBytes(RepositoryPaths.Image("alpha.png")));
        Assert.Equal(SKAlphaType.Premul, source.AlphaType);
        using var resized = VipsResize.Resize(source, 301, 201);

        Assert.NotNull(resized);
        var pixels = resized.GetPixelSpan().ToArray();
        for (var i = 0; i < pixels.Length; i += 4)
            Assert.True(pixels[i] <= pixels[i + 3] && pixels[i + 1] <= pixels[i + 3] && pixels[i + 2] <= pixels[i + 3], $"pixel {i / 4} has colour above its alpha");
        Assert.Contains(Enumerable.Range(0, pixels.Length / 4), i => pixels[i * 4 + 3] == 0);
    }

    private static SKBitmap Decode(byte[] bytes)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(bytes));
        var alpha = codec.Info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul;
        var bitmap = new SKBitmap(new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, alpha, SKColorSpace.CreateSrgb()));
        Assert.Equal(SKCodecResult.Success, codec.GetPixels(bitmap.Info, bitmap.GetPixels()));
        return bitmap;
    }
}
