
namespace Pixerve.Imaging.Tests;

public sealed class BoxGeometryTests
{
    [Theory]
    [InlineData(1920, 1280, 800, 600, 800, 533)]
    [InlineData(1920, 1280, 400, 400, 400, 267)]
    [InlineData(1280, 1920, 400, 400, 267, 400)]
    [InlineData(100, 50, 400, 400, 100, 50)]
    [InlineData(10000, 1, 100, 100, 100, 1)]
    public void Fits_inside_the_box_keeping_aspect_without_upscaling(int w, int h, int boxW, int boxH, int expectedW, int expectedH) =>
        Assert.Equal((expectedW, expectedH), BoxGeometry.Inside(w, h, new OutputBox(boxW, boxH)));
}

public sealed class FitShapeTests
{
    [Theory]
    [InlineData(FitMode.Cover, 1920, 1280, 300, 300, 300, 300, 450, 300)]
    [InlineData(FitMode.Cover, 1920, 1280, 400, 100, 400, 100, 400, 267)]
    // A box larger than the source is reduced to the largest of its aspect inside the source: nothing is upscaled.
    [InlineData(FitMode.Cover, 1920, 1280, 4000, 100, 1920, 48, 1920, 1280)]
    [InlineData(FitMode.Cover, 100, 50, 400, 400, 50, 50, 100, 50)]
    [InlineData(FitMode.Fill, 1920, 1280, 200, 50, 200, 50, 200, 133)]
    [InlineData(FitMode.Fill, 1920, 1280, 4000, 50, 1920, 50, 1920, 1280)]
    [InlineData(FitMode.Inside, 1920, 1280, 400, 400, 400, 267, 400, 267)]
    public void Cover_and_fill_give_the_box_and_the_size_they_are_cut_from(
        FitMode fit, int w, int h, int boxW, int boxH, int outW, int outH, int scaledW, int scaledH)
    {
        var shape = BoxGeometry.Shape(w, h, new OutputBox(boxW, boxH, fit));
        Assert.Equal((outW, outH), (shape.Width, shape.Height));
        Assert.Equal((scaledW, scaledH), shape.Scaled);
    }
}
