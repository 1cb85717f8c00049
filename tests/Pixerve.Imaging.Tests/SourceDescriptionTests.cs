using Pixerve.Testing;


namespace Pixerve.Imaging.Tests;

public sealed class SourceDescriptionTests
{
    private readonly ImageConverter _converter = new();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Orientation_is_applied_to_the_size_and_the_preview(bool withOutputs)
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("orient-6.jpg"));
        OutputRequest[] plan = withOutputs
            ? [new("out.jpg", OutputFormat.Jpg, new OutputBox(400, 400), null, null)]
            : [new("copy.jpg", OutputFormat.Original, null, null, null)];

        var described = _converter.ConvertImage(source, plan).Source;

        Assert.Equal((SourceFormat.Jpeg, 1280, 1920, false), (described.Format, described.Width, described.Height, described.HasAlpha));
        Assert.Equal((67, 100), (described.Preview.Width, described.Preview.Height));
        Assert.Equal(67 * 100 * 4, described.Preview.Rgba.Length);
    }

    [Fact]
    public void Preview_alpha_is_straight_not_premultiplied()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("alpha.png"));
        var described = _converter.ConvertImage(source, [new("x.png", OutputFormat.Png, new OutputBox(50, 50), null, null)]).Source;

        Assert.True(described.HasAlpha);
        var rgba = described.Preview.Rgba;
        // Premultiplied pixels never have a colour channel above their alpha; straight ones do where a translucent
        // pixel is brighter than its opacity.
        var straight = Enumerable.Range(0, rgba.Length / 4).Any(i => rgba[i * 4 + 3] < 255 && rgba[i * 4 + 3] > 0
            && Math.Max(rgba[i * 4], Math.Max(rgba[i * 4 + 1], rgba[i * 4 + 2])) > rgba[i * 4 + 3]);
        Assert.True(straight);
    }
}
