using NetVips;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

/// <summary>What each fit mode produces, through the whole converter.</summary>
public sealed class FitModeTests
{
    private readonly ImageConverter _converter = new();

    private static OutputRequest Output(OutputFormat format, OutputBox box) => new($"out.{format}", format, box, 90, 10);

    [Fact]
    public void Every_mode_gives_its_size_and_outputs_decode_at_it()
    {
        var photo = File.ReadAllBytes(RepositoryPaths.Image("photo-1920x1280-canon.jpg"));
        OutputRequest[] plan =
        [
            Output(OutputFormat.Jpg, new OutputBox(300, 300, FitMode.Cover)),
            Output(OutputFormat.Webp, new OutputBox(300, 300, FitMode.Cover, CropGravity.Entropy)),
            Output(OutputFormat.Png, new OutputBox(200, 50, FitMode.Fill)),
            Output(OutputFormat.Jpg, new OutputBox(300, 300)),
            Output(OutputFormat.Avif, new OutputBox(4000, 100, FitMode.Cover, CropGravity.Attention)),
            Output(OutputFormat.Jpg, new OutputBox(4000, 50, FitMode.Fill)),
        ];

        var outputs = _converter.Convert(photo, plan);

        Assert.Equal([(300, 300), (300, 300), (200, 50), (300, 200), (1920, 48), (1920, 50)], outputs.Select(o => (o.Width, o.Height)));
        foreach (var output in outputs)
        {
            using var decoded = Image.NewFromBuffer(output.Bytes.ToArray());
            Assert.Equal((output.Width, output.Height), (decoded.Width, decoded.Height));
        }
    }

    [Fact]
    public void Fill_stretches_the_whole_picture_and_cover_crops_the_middle()
    {
        var photo = File.ReadAllBytes(RepositoryPaths.Image("photo-1920x1280-canon.jpg"));
        var outputs = _converter.Convert(photo,
            [Output(OutputFormat.Png, new OutputBox(300, 300, FitMode.Fill)), Output(OutputFormat.Png, new OutputBox(300, 300, FitMode.Cover))]);
        var reference = Raster.Skia(photo);

        // Stretched, the grid still covers the whole picture: cell for cell like the source.
        Assert.True(Raster.GridDistance(reference, Raster.Skia(outputs[0].Bytes.Span)) <= 8);
        // Cropped to the middle 1280×1280, it is the source's middle, not the whole.
        using var middle = Image.JpegloadBuffer(photo).Crop(320, 0, 1280, 1280);
        Assert.True(Raster.GridDistance(Raster.Vips(middle), Raster.Skia(outputs[1].Bytes.Span)) <= 8);
        Assert.True(Raster.GridDistance(reference, Raster.Skia(outputs[1].Bytes.Span)) > 8);
    }

    [Fact]
    public void Rotated_source_is_cropped_upright()
    {
        var outputs = _converter.Convert(File.ReadAllBytes(RepositoryPaths.Image("orient-6.jpg")),
            [Output(OutputFormat.Jpg, new OutputBox(300, 100, FitMode.Cover)), Output(OutputFormat.Jpg, new OutputBox(100, 300, FitMode.Fill))]);
        Assert.Equal([(300, 100), (100, 300)], outputs.Select(o => (o.Width, o.Height)));
    }

    [Fact]
    public void Attention_keeps_the_salient_object_that_a_centre_crop_cuts_off()
    {
        var picture = BrightObjectOnTheRight();
        var outputs = _converter.Convert(picture,
        [
            Output(OutputFormat.Png, new OutputBox(200, 200, FitMode.Cover, CropGravity.Attention)),
            Output(OutputFormat.Png, new OutputBox(200, 200, FitMode.Cover)),
        ]);

        Assert.Equal([(200, 200), (200, 200)], outputs.Select(o => (o.Width, o.Height)));
        var (attention, centre) = (RedPixels(outputs[0]), RedPixels(outputs[1]));
        // The disc is 60 px across at the output's scale: about 2800 px when it is kept whole.
        Assert.True(attention > 2000, $"attention kept {attention} red pixels");
        Assert.Equal(0, centre);
    }

    /// <summary>800×400 of dull grey with a saturated red disc of radius 60 centred at (700, 200).</summary>
    private static byte[] BrightObjectOnTheRight()
    {
        using var xy = Image.Xyz(800, 400);
        using var dx = xy[0] - 700;
        using var dy = xy[1] - 200;
        using var inside = (dx * dx + dy * dy) < 60 * 60;
        using var grey = Image.Black(800, 400, bands: 3) + 90;
        using var red = Image.Black(800, 400, bands: 3) + new double[] { 230, 20, 20 };
        using var picture = inside.Ifthenelse(red, grey).Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb);
        return picture.PngsaveBuffer();
    }

    private static int RedPixels(EncodedOutput output)
    {
        var raster = Raster.Skia(output.Bytes.Span);
        return Enumerable.Range(0, raster.Width * raster.Height).Count(i => raster.Rgba[i * 4] > 180 && raster.Rgba[i * 4 + 1] < 80);
    }
}
