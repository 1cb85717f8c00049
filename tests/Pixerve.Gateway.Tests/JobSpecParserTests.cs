using Pixerve.Gateway.Upload;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Storage;
using Pixerve.StorageProviders;
using Pixerve.Imaging.Inspection.Formats;


namespace Pixerve.Gateway.Tests;

public sealed class JobSpecParserTests
{
    // The backends storageKeys may name are the registered providers', as the gateway registers them.
    private static readonly JobSpecParser Parser = new(new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build()).AddPixerveStorageProviders()
        .BuildServiceProvider().GetRequiredService<StorageProviderRegistry>());

    [Fact]
    public void Reads_formats_in_written_order_with_settings_and_square_sizes()
    {
        var spec = Parser.Parse("""
            {"formats": {"webp": {"settings": {"quality": 70, "speed": 3}, "sizes": [[800, 600], [200]]},
                         "jpg": {"sizes": [[100, 50]]}},
             "directHost": true, "subDir": "a/b-c/d.e", "priority": 5}
            """);

        Assert.Equal([OutputFormat.Webp, OutputFormat.Jpg], spec.Formats.Select(f => f.Format));
        Assert.Equal(70, spec.Formats[0].Quality);
        Assert.Equal(3, spec.Formats[0].Speed);
        Assert.Equal([new BoxSize(800, 600), new BoxSize(200, 200)], spec.Formats[0].Sizes);
        Assert.Equal("a/b-c/d.e", spec.SubDir);
        Assert.Equal(5, spec.Priority);
    }

    [Fact]
    public void Accepts_avif_with_its_settings()
    {
        var spec = Parser.Parse("""
            {"formats": {"avif": {"settings": {"quality": 55, "speed": 9}, "sizes": [[640, 480]]}}, "directHost": true}
            """);

        var avif = Assert.Single(spec.Formats);
        Assert.Equal((OutputFormat.Avif, 55, 9), (avif.Format, avif.Quality, avif.Speed));
        Assert.Equal([new BoxSize(640, 480)], avif.Sizes);
    }

    [Fact]
    public void Reads_fit_and_gravity_per_format_and_per_size()
    {
        var spec = Parser.Parse("""
            {"formats": {"webp": {"settings": {"fit": "cover", "gravity": "attention"},
                                  "sizes": [[800, 600], {"box": [200], "fit": "fill"}, {"box": [300, 100], "gravity": "entropy"}]},
                         "jpg": {"sizes": [[100, 50], {"box": [40], "fit": "cover", "gravity": "center"}]}},
             "directHost": true}
            """);

        Assert.Equal([
            new BoxSize(800, 600, FitMode.Cover, CropGravity.Attention),
            new BoxSize(200, 200, FitMode.Fill, CropGravity.Attention),
            new BoxSize(300, 100, FitMode.Cover, CropGravity.Entropy),
        ], spec.Formats[0].Sizes);
        Assert.Equal([new BoxSize(100, 50), new BoxSize(40, 40, FitMode.Cover)], spec.Formats[1].Sizes);
        Assert.Equal(FitMode.Inside, spec.Formats[1].Sizes[0].Fit);
    }

    [Theory]
    [InlineData("""{"formats": {"jpg": {"settings": {"fit": "contain"}, "sizes": [[10]]}}, "directHost": true}""", "formats.jpg.settings.fit")]
    [InlineData("""{"formats": {"jpg": {"settings": {"fit": 1}, "sizes": [[10]]}}, "directHost": true}""", "formats.jpg.settings.fit")]
    [InlineData("""{"formats": {"jpg": {"settings": {"fit": "cover", "gravity": "north"}, "sizes": [[10]]}}, "directHost": true}""", "formats.jpg.settings.gravity")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[10], {"box": [10], "fit": "Cover"}]}}, "directHost": true}""", "formats.jpg.sizes[1].fit")]
    [InlineData("""{"formats": {"jpg": {"sizes": [{"box": [10], "gravity": "face"}]}}, "directHost": true}""", "formats.jpg.sizes[0].gravity")]
    [InlineData("""{"formats": {"jpg": {"sizes": [{"fit": "cover"}]}}, "directHost": true}""", "formats.jpg.sizes[0].box")]
    [InlineData("""{"formats": {"jpg": {"sizes": [{"box": [0, 10]}]}}, "directHost": true}""", "formats.jpg.sizes[0].box")]
    public void Refuses_an_unknown_fit_or_gravity_naming_the_field(string json, string field) =>
        Assert.Equal(field, Assert.Throws<JobSpecException>(() => Parser.Parse(json)).Field);

    [Fact]
    public void Accepts_gif_and_animated_false_as_a_still_for_its_format_only()
    {
        var spec = Parser.Parse("""
            {"formats": {"gif": {"sizes": [[64]]}, "webp": {"settings": {"animated": false}, "sizes": [[64]]},
                         "png": {"settings": {"animated": true}, "sizes": [[64]]}}, "directHost": true}
            """);

        Assert.Equal([(OutputFormat.Gif, false), (OutputFormat.Webp, true), (OutputFormat.Png, false)], spec.Formats.Select(f => (f.Format, f.Still)));
        var plan = OutputPlan.For("h", "a", SourceFormat.Gif, spec);
        Assert.Equal([("h_a_64_64_.gif", false, "image/gif"), ("h_a_64_64_.webp", true, "image/webp"), ("h_a_64_64_.png", false, "image/png")],
            plan.Select(p => (p.Name, p.Still, p.ContentType(SourceFormat.Gif))));
    }

    [Theory]
    [InlineData("""{"directHost": true}""", "formats")]
    [InlineData("""{"formats": {"avif": {"settings": {"speed": 11}, "sizes": [[10]]}}, "directHost": true}""", "formats.avif.settings.speed")]
    [InlineData("""{"formats": {"bmp": {"sizes": [[1]]}}, "directHost": true}""", "formats.bmp")]
    [InlineData("""{"formats": {"gif": {"settings": {"animated": "no"}, "sizes": [[1]]}}, "directHost": true}""", "formats.gif.settings.animated")]
    [InlineData("""{"formats": {"jpg": {"sizes": []}}, "directHost": true}""", "formats.jpg.sizes")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[0, 10]]}}, "directHost": true}""", "formats.jpg.sizes[0]")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[9000]]}}, "directHost": true}""", "formats.jpg.sizes[0]")]
    [InlineData("""{"formats": {"jpg": {"settings": {"quality": 101}, "sizes": [[10]]}}, "directHost": true}""", "formats.jpg.settings.quality")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[10]]}}}""", "directHost")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[10]]}}, "directHost": true, "subDir": "a/../b"}""", "subDir")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[10]]}}, "storageKeys": {"ftp": "nope"}}""", "storageKeys.ftp")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[10]]}}, "storageKeys": {"s3": ""}}""", "storageKeys.s3")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[10]]}}, "directHost": true, "completionCallback": "ftp://x/"}""", "completionCallback")]
    [InlineData("""[1, 2]""", "job")]
    [InlineData(null, "job")]
    [InlineData("{\"formats\": {\"jpg\": {\"sizes\": [[10]]}}, \"directHost\": true, \"subDir\": \"a\\n\"}", "subDir")]
    [InlineData("{\"formats\": {\"jpg\": {\"sizes\": [[10]]}}, \"directHost\": true, \"subDir\": \"a\\n/b\"}", "subDir")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[10]]}}, "directHost": true, "directHost": false}""", "directHost")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[10]], "sizes": [[20]]}}, "directHost": true}""", "formats.jpg.sizes")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[10]]}}, "directHost": true, "callbackHeaders": {"a": "1", "a": "2"}}""", "callbackHeaders.a")]
    public void Refuses_a_bad_spec_naming_the_field(string? json, string field) =>
        Assert.Equal(field, Assert.Throws<JobSpecException>(() => Parser.Parse(json)).Field);

    [Theory]
    [InlineData("""{"formats": {"jpg": {"sizes": [[10], {"box": [10], "fit": "fill"}]}}, "directHost": true}""", "formats.jpg.sizes[1]")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[20, 10]]}, "jpeg": {"settings": {"quality": 5}, "sizes": [[20, 10]]}}, "directHost": true}""", "formats.jpeg.sizes[0]")]
    public void Refuses_two_outputs_of_one_name_with_other_settings(string json, string field)
    {
        var error = Assert.Throws<JobSpecException>(() => Parser.Parse(json));
        Assert.Equal(field, error.Field);
        Assert.Contains("names the same file as formats.jpg.sizes[0]", error.Message);
    }

    [Fact]
    public void Accepts_one_name_asked_twice_for_the_same_work()
    {
        var spec = Parser.Parse("""{"formats": {"jpg": {"sizes": [[10], [10, 10], [10, 20]]}, "png": {"sizes": [[10]]}}, "directHost": true}""");
        Assert.Equal(3, spec.Formats[0].Sizes.Count);
    }

    [Fact]
    public void Refuses_more_outputs_than_the_limit_naming_sizes()
    {
        string Spec(int count) =>
            $$$"""{"formats": {"jpg": {"sizes": [{{{string.Join(",", Enumerable.Range(1, count).Select(i => $"[{i}]"))}}}]}}, "directHost": true}""";

        Assert.Equal(32, Parser.Parse(Spec(32)).Formats[0].Sizes.Count);
        Assert.Equal("formats.jpg.sizes", Assert.Throws<JobSpecException>(() => Parser.Parse(Spec(33))).Field);
        Assert.Equal("formats.jpg.sizes", Assert.Throws<JobSpecException>(() => Parser.Parse(Spec(200))).Field);
        Assert.Equal("formats.jpg.sizes", Assert.Throws<JobSpecException>(() => Parser.Parse(Spec(5), maxOutputs: 4)).Field);
    }
}
