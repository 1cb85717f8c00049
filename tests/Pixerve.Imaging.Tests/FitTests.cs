namespace Pixerve.Imaging.Tests;

public sealed class FitTests
{
    [Theory]
    [InlineData(1920, 1280, 800, 600, 800, 533)]
    [InlineData(1920, 1280, 400, 400, 400, 267)]
    [InlineData(1280, 1920, 400, 400, 267, 400)]
    [InlineData(100, 50, 400, 400, 100, 50)]
    [InlineData(10000, 1, 100, 100, 100, 1)]
    public void Fits_inside_the_box_keeping_aspect_without_upscaling(int w, int h, int boxW, int boxH, int expectedW, int expectedH) =>
        Assert.Equal((expectedW, expectedH), Fit.Inside(w, h, new BoxSize(boxW, boxH)));
}
