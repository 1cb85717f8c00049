using Pixerve.Testing;


namespace Pixerve.Imaging.Tests;

/// <summary>The multi-output path: sizes derived from larger ones, formats encoded in parallel.</summary>
public sealed class ConverterPipelineTests
{
    private readonly ImageConverter _converter = new();

    private static OutputRequest Output(OutputFormat format, int side) =>
        new($"{side}.{format}", format, new OutputBox(side, side), 90, 10);

    [Fact]
    public void Every_format_and_size_comes_back_in_plan_order()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("photo-2560x1600.jpg"));
        OutputRequest[] plan =
        [
            Output(OutputFormat.Webp, 400), Output(OutputFormat.Jpg, 1600), Output(OutputFormat.Avif, 400),
            Output(OutputFormat.Jpg, 400), Output(OutputFormat.Png, 100), Output(OutputFormat.Webp, 1600),
            new("copy.jpg", OutputFormat.Original, null, null, null),
        ];

        var outputs = _converter.Convert(source, plan);

        Assert.Equal(plan, outputs.Select(o => o.Output));
        Assert.Equal([(400, 250), (1600, 1000), (400, 250), (400, 250), (100, 62), (1600, 1000), (2560, 1600)],
            outputs.Select(o => (o.Width, o.Height)));
        foreach (var output in outputs.Where(o => o.Output.Format is OutputFormat.Jpg or OutputFormat.Webp or OutputFormat.Png))
        {
            var decoded = Raster.Skia(output.Bytes.Span);
            Assert.Equal((output.Width, output.Height), (decoded.Width, decoded.Height));
        }
    }

    [Fact]
    public void A_size_derived_from_a_larger_one_matches_one_made_from_the_source()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("photo-2560x1600.jpg"));
        var chained = _converter.Convert(source, [Output(OutputFormat.Png, 1600), Output(OutputFormat.Png, 700), Output(OutputFormat.Png, 150)]);
        var direct = Assert.Single(_converter.Convert(source, [Output(OutputFormat.Png, 150)]));

        Assert.Equal((150, 94), (chained[2].Width, chained[2].Height));
        var distance = Raster.GridDistance(Raster.Skia(direct.Bytes.Span), Raster.Skia(chained[2].Bytes.Span), n: 16);
        Assert.True(distance <= 3, $"the chained thumbnail differs from the direct one by {distance:F1}");
    }

    [Fact]
    public void Rotated_source_gives_every_size_upright()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("orient-6.jpg"));
        var outputs = _converter.Convert(source, [Output(OutputFormat.Jpg, 900), Output(OutputFormat.Webp, 300), Output(OutputFormat.Jpg, 300)]);
        Assert.Equal([(600, 900), (200, 300), (200, 300)], outputs.Select(o => (o.Width, o.Height)));

        var upright = _converter.Convert(File.ReadAllBytes(RepositoryPaths.Image("photo-1920x1280-canon.jpg")), [Output(OutputFormat.Png, 300)]);
        var reference = Raster.Skia(upright[0].Bytes.Span);
        var thumbnail = Raster.Skia(outputs[1].Bytes.Span);
        // Turned 90° clockwise: the reference's bottom-left corner is the thumbnail's top-left.
        var (expected, actual) = (reference[2, reference.Height - 3], thumbnail[2, 2]);
        Assert.True(Math.Abs(expected.R - actual.R) + Math.Abs(expected.G - actual.G) + Math.Abs(expected.B - actual.B) < 45,
            $"expected about {expected}, got {actual}");
    }

    [Fact]
    public void The_same_output_asked_twice_is_made_twice()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image("vb.jpg"));
        var outputs = _converter.Convert(source, [Output(OutputFormat.Jpg, 100), Output(OutputFormat.Jpg, 100)]);
        Assert.Equal(2, outputs.Count);
        Assert.Equal(outputs[0].Bytes.ToArray(), outputs[1].Bytes.ToArray());
    }
}
