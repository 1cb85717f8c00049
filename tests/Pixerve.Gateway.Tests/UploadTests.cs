using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using SkiaSharp;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Imaging.Inspection.Formats;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

[Collection(PixerveCollection.Name)]
public sealed class UploadTests(PixerveFixture fixture)
{
    private static object DirectJob(string subDir, params (string Format, int[][] Sizes)[] formats) => new
    {
        formats = formats.ToDictionary(f => f.Format, f => (object)new { settings = new { quality = 80 }, sizes = f.Sizes }),
        directHost = true,
        subDir,
    };

    [Fact]
    public async Task Camera_photo_is_converted_to_every_format_and_size_and_served()
    {
        var image = RepositoryPaths.Image("photo-1920x1280-canon.jpg");
        var sizes = new[] { new[] { 800, 600 }, new[] { 400 } };
        var token = fixture.Token(DirectJob("slice/canon", ("jpg", sizes), ("png", sizes), ("webp", sizes)));

        using var response = await fixture.Http.SendAsync(fixture.Upload(image, token));
        await HttpAssert.AssertOk(response);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(image)));
        Assert.Equal(hash, body.GetProperty("hash").GetString());
        var expected = body.GetProperty("expected_files").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(
        [
            $"{hash}_photo-1920x1280-canon_600_800_.jpg", $"{hash}_photo-1920x1280-canon_400_400_.jpg",
            $"{hash}_photo-1920x1280-canon_600_800_.png", $"{hash}_photo-1920x1280-canon_400_400_.png",
            $"{hash}_photo-1920x1280-canon_600_800_.webp", $"{hash}_photo-1920x1280-canon_400_400_.webp",
        ], expected);

        var status = await fixture.WaitUntilFinalAsync(hash, token);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(6, status.GetProperty("files").GetArrayLength());

        foreach (var name in expected)
        {
            using var file = await fixture.Http.GetAsync($"/files/slice/canon/{name}");
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.NotNull(file.Headers.ETag);
            using var bitmap = SKBitmap.Decode(await file.Content.ReadAsByteArrayAsync());
            Assert.NotNull(bitmap);
            // 1920×1280 fitted in 800×600 is 800×533; in 400×400 it is 400×267.
            var (width, height) = name.Contains("_600_800_") ? (800, 533) : (400, 267);
            Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        }
    }

    [Fact]
    public async Task Avif_is_produced_and_served_as_image_avif()
    {
        var token = fixture.Token(DirectJob("slice/avif", ("avif", [[120]])));
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.jpg"), token));
        await HttpAssert.AssertOk(response);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var name = Assert.Single(body.GetProperty("expected_files").EnumerateArray()).GetString()!;
        Assert.EndsWith("_120_120_.avif", name);

        var status = await fixture.WaitUntilFinalAsync(body.GetProperty("hash").GetString()!, token);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        using var file = await fixture.Http.GetAsync($"/files/slice/avif/{name}");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("image/avif", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal("ftypavif"u8.ToArray(), (await file.Content.ReadAsByteArrayAsync())[4..12]);
    }

    [Fact]
    public async Task Avif_upload_is_accepted_and_converted()
    {
        var avif = new Pixerve.Imaging.ImageConverter().Convert(await File.ReadAllBytesAsync(RepositoryPaths.Image("vb.jpg")),
            [new Pixerve.Imaging.OutputRequest("a.avif", OutputFormat.Avif, new Pixerve.Imaging.OutputBox(400, 400), null, 10)])[0].Bytes.ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"upload-{Guid.NewGuid():N}.avif");
        await File.WriteAllBytesAsync(path, avif);
        try
        {
            var token = fixture.Token(DirectJob("slice/avif-in", ("webp", [[200]])));
            using var response = await fixture.Http.SendAsync(fixture.Upload(path, token, fileName: "in.avif"));
            await HttpAssert.AssertOk(response);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            var status = await fixture.WaitUntilFinalAsync(body.GetProperty("hash").GetString()!, token);
            Assert.Equal("completed", status.GetProperty("status").GetString());
            var name = Assert.Single(body.GetProperty("expected_files").EnumerateArray()).GetString()!;
            using var bitmap = SKBitmap.Decode(await fixture.Http.GetByteArrayAsync($"/files/slice/avif-in/{name}"));
            Assert.Equal((200, 112), (bitmap.Width, bitmap.Height));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Token_in_the_form_field_is_accepted_like_the_header()
    {
        var token = fixture.Token(DirectJob("slice/form", ("jpg", [[64]])));
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.jpg"), bearer: null, formToken: token));
        await HttpAssert.AssertOk(response);
        var hash = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
        var status = await fixture.WaitUntilFinalAsync(hash, token);
        Assert.Equal("completed", status.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Truncated_jpeg_fails_with_a_clear_error()
    {
        var token = fixture.Token(DirectJob("slice/truncated", ("jpg", [[100]])));
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("hostile/truncated.jpg"), token));
        await HttpAssert.AssertOk(response);
        var hash = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;

        var status = await fixture.WaitUntilFinalAsync(hash, token);
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.StartsWith("source is not a decodable image", status.GetProperty("error").GetString());
        Assert.False(Directory.Exists(Path.Combine(fixture.ServeDir, "slice", "truncated")) &&
                     Directory.EnumerateFiles(Path.Combine(fixture.ServeDir, "slice", "truncated")).Any());
    }

    [Fact]
    public async Task Text_named_jpg_is_refused_with_415_and_nothing_is_staged()
    {
        var before = await fixture.Staging.ListAsync(CancellationToken.None);
        var token = fixture.Token(DirectJob("slice/text", ("jpg", [[100]])));
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("hostile/not-an-image.jpg"), token));

        await HttpAssert.AssertProblem(response, HttpStatusCode.UnsupportedMediaType);
        await fixture.AssertNothingNewStagedAsync(before);
    }

    [Fact]
    public async Task Pixel_bomb_is_refused_with_413_from_its_header_and_nothing_is_staged()
    {
        var before = await fixture.Staging.ListAsync(CancellationToken.None);
        var token = fixture.Token(DirectJob("slice/bomb", ("jpg", [[100]])));
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("hostile/bomb-40000x40000.png"), token));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("40000×40000", problem.GetProperty("detail").GetString());
        await fixture.AssertNothingNewStagedAsync(before);
    }

    [Fact]
    public async Task Jpeg_whose_header_ends_before_its_dimensions_is_refused_with_415()
    {
        var before = await fixture.Staging.ListAsync(CancellationToken.None);
        var token = fixture.Token(DirectJob("slice/headless", ("jpg", [[100]])));
        // SOI, then an APP1 segment cut short: the frame header never comes.
        var path = Path.Combine(Path.GetTempPath(), $"headless-{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(path, [0xFF, 0xD8, 0xFF, 0xE1, 0x10, 0x00, .. new byte[100]]);
        try
        {
            using var response = await fixture.Http.SendAsync(fixture.Upload(path, token));
            await HttpAssert.AssertProblem(response, HttpStatusCode.UnsupportedMediaType);
        }
        finally
        {
            File.Delete(path);
        }

        await fixture.AssertNothingNewStagedAsync(before);
    }

    [Fact]
    public async Task Empty_file_is_refused_with_400()
    {
        var before = await fixture.Staging.ListAsync(CancellationToken.None);
        var token = fixture.Token(DirectJob("slice/empty", ("jpg", [[100]])));
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("hostile/empty.jpg"), token));

        await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest);
        await fixture.AssertNothingNewStagedAsync(before);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("with space")]
    [InlineData("a\n")]
    public async Task SubDir_outside_the_root_is_refused_with_400_naming_the_field(string subDir)
    {
        var token = fixture.Token(DirectJob(subDir, ("jpg", [[100]])));
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.jpg"), token));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal("subDir", problem.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("""{"formats": {"jpg": {"sizes": [[100]]}}, "directHost": true, "subDir": "dup", "directHost": true}""", "directHost")]
    [InlineData("""{"formats": {"jpg": {"sizes": [[100]], "sizes": [[50]]}}, "directHost": true, "subDir": "dup"}""", "formats.jpg.sizes")]
    // Unknown fit or gravity.
    [InlineData("""{"formats": {"jpg": {"settings": {"fit": "contain"}, "sizes": [[100]]}}, "directHost": true, "subDir": "fit"}""", "formats.jpg.settings.fit")]
    [InlineData("""{"formats": {"jpg": {"sizes": [{"box": [100], "fit": "cover", "gravity": "faces"}]}}, "directHost": true, "subDir": "fit"}""", "formats.jpg.sizes[0].gravity")]
    public async Task Job_claim_with_a_key_given_twice_or_an_unknown_fit_is_refused_with_400_naming_the_field(string job, string field)
    {
        using var claim = System.Text.Json.JsonDocument.Parse(job);
        var token = fixture.Token(claim.RootElement);
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.jpg"), token));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Cover_and_fill_sizes_fill_their_boxes_under_the_usual_names()
    {
        using var claim = System.Text.Json.JsonDocument.Parse("""
            {"formats": {"jpg": {"settings": {"fit": "cover", "gravity": "attention"},
                                 "sizes": [[300, 300], {"box": [200, 50], "fit": "fill"}, {"box": [120], "fit": "inside"}]}},
             "directHost": true, "subDir": "slice/fit"}
            """);
        var token = fixture.Token(claim.RootElement);
        var image = RepositoryPaths.Image("photo-1920x1280-canon.jpg");
        using var response = await fixture.Http.SendAsync(fixture.Upload(image, token));
        await HttpAssert.AssertOk(response);
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(image)));
        var status = await fixture.WaitUntilFinalAsync(hash, token);
        Assert.Equal("completed", status.GetProperty("status").GetString());

        foreach (var (name, size) in new[] { ("300_300", (300, 300)), ("50_200", (200, 50)), ("120_120", (120, 80)) })
        {
            using var file = await fixture.Http.GetAsync($"/files/slice/fit/{hash}_photo-1920x1280-canon_{name}_.jpg");
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            using var bitmap = SKBitmap.Decode(await file.Content.ReadAsByteArrayAsync());
            Assert.Equal(size, (bitmap.Width, bitmap.Height));
        }
    }

    [Fact]
    public async Task More_outputs_than_the_limit_are_refused_with_400_naming_sizes()
    {
        var sizes = Enumerable.Range(1, 200).Select(i => new[] { i }).ToArray();
        var token = fixture.Token(new { formats = new { jpg = new { sizes } }, directHost = true, subDir = "many" });
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.jpg"), token));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal("formats.jpg.sizes", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Gif_with_a_tiny_screen_holding_a_huge_frame_is_413_and_stages_nothing()
    {
        var before = await fixture.Staging.ListAsync(CancellationToken.None);
        var token = fixture.Token(DirectJob("gif-bomb", ("png", [[100]])));
        using var response = await fixture.Http.SendAsync(
            PixerveFixture.UploadBytes(UploadHeaderReaderTests.GifWithFrame(8000, 8000), "bomb.gif", token));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("8000×8000", problem.GetProperty("detail").GetString());
        await fixture.AssertNothingNewStagedAsync(before);
    }

    [Fact]
    public async Task Unknown_hash_is_404_problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={new string('a', 64)}");
        request.Headers.Authorization = new("Bearer", fixture.Token(DirectJob("x", ("jpg", [[1]]))));
        using var response = await fixture.Http.SendAsync(request);
        await HttpAssert.AssertProblem(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/files/../appsettings.json")]
    [InlineData("/files/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/files/nothing-here.jpg")]
    public async Task Files_outside_the_serve_root_or_missing_are_404(string path)
    {
        using var response = await fixture.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
